import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { buildExportRequest } from './model.ts';
import { decodeExportResponse, encodeExportRequest } from './protobuf.ts';

const T = 1_795_881_944_000;

/** Reads a message into {field: [values]}: submessages as bytes, fixed64 as a BigInt, varints as numbers. */
function fields(bytes: Uint8Array): Map<number, unknown[]> {
  const out = new Map<number, unknown[]>();
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const t = r.uint32();
    let v: unknown;
    if ((t & 7) === 0) v = r.uint32();
    else if ((t & 7) === 1) {
      const lo = BigInt(r.fixed32());
      v = (BigInt(r.fixed32()) << 32n) | lo;
    } else if ((t & 7) === 2) v = r.bytes();
    else throw new Error(`unexpected wire type ${t & 7}`);
    out.set(t >>> 3, [...(out.get(t >>> 3) ?? []), v]);
  }
  return out;
}
const one = (m: Map<number, unknown[]>, field: number) => m.get(field)![0] as Uint8Array;
const text = (b: unknown) => new TextDecoder().decode(b as Uint8Array);

describe('encodeExportRequest', () => {
  it('writes the fields at their opentelemetry-proto numbers', () => {
    const request = buildExportRequest([
      {
        service: 'api',
        name: 'http.server.request.duration',
        type: 'histogram',
        unit: 'ms',
        attributes: { 'http.response.status_code': 503, 'service.instance.id': 'i1' },
        points: [
          [T, 20],
          [T + 1, 40],
        ],
      },
    ]);
    const rm = fields(one(fields(encodeExportRequest(request)), 1));
    const resourceAttrs = fields(one(rm, 1))
      .get(1)!
      .map((kv) => fields(kv as Uint8Array));
    expect(text(one(resourceAttrs[0]!, 1))).toBe('service.name');
    expect(text(one(fields(one(resourceAttrs[0]!, 2)), 1))).toBe('api');
    const scopeMetrics = fields(one(rm, 2));
    expect(text(one(fields(one(scopeMetrics, 1)), 1))).toBe('@pulseboard/demo');
    const metric = fields(one(scopeMetrics, 2));
    expect(text(one(metric, 1))).toBe('http.server.request.duration');
    expect(text(one(metric, 3))).toBe('s');
    const histogram = fields(one(metric, 9));
    expect(histogram.get(2)).toEqual([1]); // DELTA
    const point = fields(one(histogram, 1));
    expect(point.get(2)).toEqual([BigInt(T) * 1_000_000n]);
    expect(point.get(3)).toEqual([BigInt(T + 1000) * 1_000_000n]);
    expect(point.get(4)).toEqual([2n]);
    // Packed bucket counts: 15 fixed64 values, the two observations in (0.01, 0.025] and (0.025, 0.05].
    const packed = protobuf.Reader.create(one(point, 6));
    const counts: number[] = [];
    while (packed.pos < packed.len) counts.push(Number(packed.fixed32()) + packed.fixed32() * 2 ** 32);
    expect(counts).toEqual([0, 0, 1, 1, ...new Array(11).fill(0)]);
    const sum = new DataView(new BigUint64Array([point.get(5)![0] as bigint]).buffer).getFloat64(0, true);
    expect(sum).toBeCloseTo(0.06, 12);
    const status = fields(one(fields(one(point, 9)), 2));
    expect(status.get(3)).toEqual([503]);
  });
});

describe('decodeExportResponse', () => {
  it('reads partialSuccess and treats an empty body as full success', () => {
    expect(decodeExportResponse(new Uint8Array())).toEqual({ rejected: 0, message: '' });
    const w = protobuf.Writer.create();
    w.uint32(10).fork().uint32(8).int64(3).uint32(18).string('3 data points rejected').ldelim();
    expect(decodeExportResponse(w.finish())).toEqual({ rejected: 3, message: '3 data points rejected' });
  });
});
