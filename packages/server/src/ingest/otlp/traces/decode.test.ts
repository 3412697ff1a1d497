import { describe, expect, it } from 'vitest';
import { DecodeError } from '../model.ts';
import { encodeOtlpProtobuf } from '../test-encoder.ts';
import { decodeTracesJson } from './decode-json.ts';
import { decodeTracesProtobuf } from './decode-protobuf.ts';
import type { TraceExport } from './model.ts';

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });

/** An export as the SDK's JSON exporter writes it: hex ids, times as decimal strings, enums as numbers. */
const REQUEST = {
  resourceSpans: [
    {
      resource: { attributes: [str('service.name', 'gateway'), str('host.name', 'h1')] },
      scopeSpans: [
        {
          scope: { name: '@opentelemetry/instrumentation-http' },
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              traceState: 'ot=th:c',
              name: 'GET /pay',
              kind: 2,
              startTimeUnixNano: '1795881943000000000',
              endTimeUnixNano: '1795881943012345678',
              attributes: [
                str('http.request.method', 'GET'),
                str('http.route', '/pay'),
                int('http.response.status_code', 503),
                { key: 'url.full', value: { arrayValue: { values: [{ stringValue: 'x' }] } } },
              ],
              status: { code: 2, message: 'boom' },
              flags: 257,
            },
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: '00f067aa0ba902b7',
              parentSpanId: 'b7ad6b7169203331',
              name: 'POST',
              kind: 3,
              startTimeUnixNano: '1795881943001000000',
              endTimeUnixNano: '1795881943002500000',
              attributes: [str('server.address', 'payments'), str('peer.service', 'payment-service')],
            },
          ],
        },
      ],
    },
    { resource: { attributes: [] }, scopeSpans: [{ spans: [{ name: 'no times', kind: 1 }] }] },
  ],
};

const EXPECTED: TraceExport = {
  resources: [
    {
      attributes: { 'service.name': 'gateway', 'host.name': 'h1' },
      spans: [
        {
          spanId: 'b7ad6b7169203331',
          parentSpanId: '',
          traceState: 'ot=th:c',
          name: 'GET /pay',
          kind: 2,
          end: 1795881943012,
          durationMs: 12.345678,
          status: 2,
          attributes: { 'http.route': '/pay', 'http.response.status_code': 503 },
        },
        {
          spanId: '00f067aa0ba902b7',
          parentSpanId: 'b7ad6b7169203331',
          traceState: '',
          name: 'POST',
          kind: 3,
          end: 1795881943002,
          durationMs: 1.5,
          status: 0,
          attributes: { 'server.address': 'payments', 'peer.service': 'payment-service' },
        },
      ],
    },
    {
      attributes: {},
      spans: [
        {
          spanId: '',
          parentSpanId: '',
          traceState: '',
          name: 'no times',
          kind: 1,
          end: 0,
          durationMs: Number.NaN,
          status: 0,
          attributes: {},
        },
      ],
    },
  ],
};

describe('trace decoders', () => {
  it('read the same spans from OTLP/JSON and protobuf, keeping only the attributes RED needs', () => {
    expect(decodeTracesJson(Buffer.from(JSON.stringify(REQUEST)))).toEqual(EXPECTED);
    expect(decodeTracesProtobuf(encodeOtlpProtobuf(REQUEST, 'ExportTraceServiceRequest'))).toEqual(EXPECTED);
  });

  it('read wanted attributes of every value type alike, and the same bytes alike export after export', () => {
    const attributes = [
      { key: 'http.route', value: { boolValue: true } },
      { key: 'peer.service', value: { doubleValue: 2.5 } },
      { key: 'server.address', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
      { key: 'http.status_code', value: { stringValue: '502' } },
      { key: 'error.type', value: { stringValue: 'Zeitüberschreitung' } },
      int('http.response.status_code', 504),
    ];
    const request = { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'GET /ü', attributes }] }] }] };
    const expected = {
      'http.route': true,
      'peer.service': 2.5,
      'server.address': '["a",1]',
      'http.status_code': '502',
      'error.type': 'Zeitüberschreitung',
      'http.response.status_code': 504,
    };
    const body = encodeOtlpProtobuf(request, 'ExportTraceServiceRequest');
    for (let i = 0; i < 2; i++) {
      const span = decodeTracesProtobuf(Buffer.from(body)).resources[0]!.spans[0]!;
      expect(span.attributes).toEqual(expected);
      expect(span.name).toBe('GET /ü');
    }
    expect(decodeTracesJson(Buffer.from(JSON.stringify(request))).resources[0]!.spans[0]!.attributes).toEqual(expected);
  });

  it('take enum names in JSON and upper-case hex ids', () => {
    const span = { spanId: 'B7AD6B7169203331', kind: 'SPAN_KIND_CONSUMER', status: { code: 'STATUS_CODE_ERROR' } };
    const decoded = decodeTracesJson(
      Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] })),
    );
    expect(decoded.resources[0]!.spans[0]).toMatchObject({ spanId: 'b7ad6b7169203331', kind: 5, status: 2 });
  });

  it('refuse malformed bodies with a DecodeError naming the problem', () => {
    const json = (body: unknown) => () => decodeTracesJson(Buffer.from(JSON.stringify(body)));
    expect(() => decodeTracesJson(Buffer.from('{'))).toThrow(/not valid JSON/);
    for (const text of ['null', '[]', '7']) {
      expect(() => decodeTracesJson(Buffer.from(text)), text).toThrow(/body: must be a JSON object/);
    }
    expect(decodeTracesJson(Buffer.from('{}'))).toEqual({ resources: [] });
    expect(json({ resourceSpans: {} })).toThrow(/resourceSpans: must be an array/);
    expect(json({ resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'xyz' }] }] }] })).toThrow(
      /spans\[0\]\.spanId: must be hex/,
    );
    expect(json({ resourceSpans: [{ scopeSpans: [{ spans: [{ kind: 'SERVER' }] }] }] })).toThrow(DecodeError);
    const good = encodeOtlpProtobuf(REQUEST, 'ExportTraceServiceRequest');
    expect(() => decodeTracesProtobuf(good.subarray(0, good.length - 5))).toThrow();
    // A span whose kind arrives as a length-delimited field.
    const badKind = encodeOtlpProtobuf(
      { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] },
      'ExportTraceServiceRequest',
    );
    const tampered = Buffer.from(badKind);
    tampered[tampered.indexOf(0x2a)] = 0x30; // Span.name (5, bytes) -> field 6 as a varint
    expect(() => decodeTracesProtobuf(tampered)).toThrow();
  });

  it('refuse ids of the wrong length in either encoding, naming the field', () => {
    const [span] = REQUEST.resourceSpans[0]!.scopeSpans[0]!.spans;
    const withIds = (ids: Record<string, string>) => ({
      resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, ...ids }] }] }],
    });
    const cases: [Record<string, string>, string][] = [
      [{ traceId: 'abcd' }, 'traceId'],
      [{ spanId: 'b7ad6b71' }, 'spanId'],
      [{ parentSpanId: 'b7ad6b7169203331aa' }, 'parentSpanId'],
    ];
    for (const [ids, field] of cases) {
      const body = withIds(ids);
      expect(() => decodeTracesJson(Buffer.from(JSON.stringify(body)))).toThrow(
        new RegExp(`${field}: must be \\d+ bytes`),
      );
      expect(() => decodeTracesProtobuf(encodeOtlpProtobuf(body, 'ExportTraceServiceRequest'))).toThrow(
        new RegExp(`Span\\.${field}: \\d+ bytes, expected`),
      );
    }
    // Spans without ids still decode (their times decide whether they are stored).
    expect(decodeTracesJson(Buffer.from(JSON.stringify(withIds({ traceId: '', spanId: '' }))))).toBeTruthy();
  });
});
