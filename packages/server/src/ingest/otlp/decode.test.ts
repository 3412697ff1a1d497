import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMetricsJson } from './decode-json.ts';
import { decodeMetricsProtobuf } from './decode-protobuf.ts';
import { DecodeError, type HistogramPoint, type OtlpExport, type PointBase } from './model.ts';
import { encodeOtlpProtobuf } from './test-encoder.ts';
import { decodeTracesJson } from './traces/decode-json.ts';
import { decodeTracesProtobuf } from './traces/decode-protobuf.ts';

const TESTDATA = path.join(import.meta.dirname, 'testdata');
const sample = (name: string) => fs.readFileSync(path.join(TESTDATA, name));
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('OTLP decoders', () => {
  it('decode the SDK protobuf sample: resource, every metric type, temporality, exact ms times', () => {
    const decoded = decodeMetricsProtobuf(sample('metrics-cumulative.pb'));
    const [resource] = decoded.resources;
    expect(resource!.attributes).toEqual({ 'service.name': 'checkout-api', 'service.version': '1.2.3' });
    expect(resource!.metrics.map((m) => [m.name, m.unit, m.data?.type])).toEqual([
      ['http.server.request.duration', 's', 'histogram'],
      ['http.server.requests', '{request}', 'sum'],
      ['process.memory.usage', 'By', 'gauge'],
      ['http.server.active_requests', '{request}', 'sum'],
    ]);
    const histogram = resource!.metrics[0]!.data!;
    expect(histogram).toMatchObject({ type: 'histogram', temporality: 'cumulative' });
    const point = (histogram as { points: HistogramPoint[] }).points[1]!;
    expect(point).toMatchObject({
      attributes: { 'http.route': '/api/items/:id', 'http.response.status_code': 500, 'http.request.method': 'GET' },
      count: 1,
      sum: 1.7,
      min: 1.7,
      max: 1.7,
    });
    expect(point.bounds).toEqual([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
    expect(point.counts).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Number.isInteger(point.time) && point.time > 1.7e12).toBe(true);
    expect(resource!.metrics[1]!.data).toMatchObject({ type: 'sum', monotonic: true, temporality: 'cumulative' });
    expect(resource!.metrics[3]!.data).toMatchObject({ type: 'sum', monotonic: false });
  });

  it('decode every saved JSON sample, and protobuf of the same request to the same model', () => {
    for (const name of fs.readdirSync(TESTDATA).filter((f) => f.endsWith('.json') && !f.includes('headers'))) {
      const body = sample(name);
      const fromJson = decodeMetricsJson(body);
      expect(fromJson.resources.length, name).toBeGreaterThan(0);
      const fromProtobuf = decodeMetricsProtobuf(encodeOtlpProtobuf(JSON.parse(body.toString())));
      expect(withoutAttributeKeys(fromProtobuf), name).toEqual(fromJson);
    }
  });

  it('read the JSON sample times exactly (ns strings cut to ms) and the delta and int samples', () => {
    const cumulative = decodeMetricsJson(sample('metrics-cumulative.json'));
    const first = (cumulative.resources[0]!.metrics[0]!.data as { points: HistogramPoint[] }).points[0]!;
    expect(first).toMatchObject({ start: 1795881942588, time: 1795881942589 });
    const delta = decodeMetricsJson(sample('metrics-delta-2.json'));
    expect(delta.resources[0]!.metrics[0]!.data).toMatchObject({
      type: 'sum',
      temporality: 'delta',
      points: [expect.objectContaining({ value: 5 })],
    });
    const ints = decodeMetricsJson(sample('metrics-exphist-advice-int.json'));
    const [exp, , items] = ints.resources[0]!.metrics;
    expect(exp!.data).toMatchObject({
      type: 'exponentialHistogram',
      points: [
        expect.objectContaining({
          scale: 4,
          count: 5,
          zeroCount: 0,
          positive: expect.objectContaining({ offset: -135 }),
        }),
      ],
    });
    expect(items!.data).toMatchObject({ type: 'sum', points: [expect.objectContaining({ value: 7 })] });
  });

  it('accept int64 as strings or numbers, NaN/Infinity doubles, enum names, unknown fields; skip exemplars', () => {
    const decoded = decodeMetricsJson(
      json(
        request({
          sum: {
            aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
            isMonotonic: true,
            futureField: { x: 1 },
            dataPoints: [
              { timeUnixNano: 1_800_000_000_000_000_000, asInt: '42', exemplars: [{ asDouble: 1 }] },
              {
                timeUnixNano: '1800000000123456789',
                asDouble: 'NaN',
                attributes: [
                  { key: 'a', value: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'x' }] } } },
                ],
              },
            ],
          },
        }),
      ),
    );
    const data = decoded.resources[0]!.metrics[0]!.data as {
      temporality: string;
      points: { value: number; time: number; attributes: object }[];
    };
    expect(data.temporality).toBe('delta');
    expect(data.points[0]).toMatchObject({ value: 42, time: 1_800_000_000_000 });
    expect(data.points[1]!.time).toBe(1_800_000_000_123);
    expect(Number.isNaN(data.points[1]!.value)).toBe(true);
    expect(data.points[1]!.attributes).toEqual({ a: '[1,"x"]' });
  });

  it('decode summaries, exponential histograms with negative buckets, kvlists and bytes in both encodings', () => {
    const body = request(
      {
        summary: {
          dataPoints: [
            {
              timeUnixNano: '1800000000000000000',
              count: '10',
              sum: 5.5,
              quantileValues: [
                { quantile: 0.5, value: 0.4 },
                { quantile: 1, value: 2 },
              ],
            },
          ],
        },
      },
      {
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: [
            {
              timeUnixNano: '1800000000000000000',
              count: '6',
              scale: -2,
              zeroCount: '1',
              positive: { offset: -3, bucketCounts: ['2', '0', '1'] },
              negative: { offset: 1, bucketCounts: [2] },
              attributes: [
                { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } } },
                { key: 'b', value: { bytesValue: 'AQI=' } },
              ],
            },
          ],
        },
      },
    );
    const fromJson = decodeMetricsJson(json(body));
    expect(withoutAttributeKeys(decodeMetricsProtobuf(encodeOtlpProtobuf(body)))).toEqual(fromJson);
    const [summary, exp] = fromJson.resources[0]!.metrics;
    expect(summary!.data).toMatchObject({
      type: 'summary',
      points: [
        {
          count: 10,
          sum: 5.5,
          quantiles: [
            { quantile: 0.5, value: 0.4 },
            { quantile: 1, value: 2 },
          ],
        },
      ],
    });
    expect(exp!.data).toMatchObject({
      points: [
        {
          scale: -2,
          zeroCount: 1,
          positive: { offset: -3, counts: [2, 0, 1] },
          negative: { offset: 1, counts: [2] },
          attributes: { m: '{"k":true}', b: 'AQI=' },
        },
      ],
    });
  });

  it('keep attributes named __proto__ as own keys (a name like any other), in both encodings', () => {
    const body = request({
      gauge: {
        dataPoints: [
          {
            timeUnixNano: '1800000000000000000',
            asDouble: 1,
            attributes: [
              { key: '__proto__', value: { stringValue: 'x' } },
              { key: 'm', value: { kvlistValue: { values: [{ key: '__proto__', value: { stringValue: 'y' } }] } } },
            ],
          },
        ],
      },
    });
    for (const decoded of [decodeMetricsJson(json(body)), decodeMetricsProtobuf(encodeOtlpProtobuf(body))]) {
      const [point] = decoded.resources[0]!.metrics[0]!.data!.points as PointBase[];
      expect(Object.getPrototypeOf(point!.attributes)).toBe(Object.prototype);
      expect(JSON.stringify(point!.attributes)).toBe('{"__proto__":"x","m":"{\\"__proto__\\":\\"y\\"}"}');
    }
  });

  it('reject broken protobuf with a DecodeError or a reader error, never a partial result', () => {
    const good = sample('metrics-cumulative.pb');
    const cases: [string, Buffer][] = [
      ['truncated', good.subarray(0, good.length - 7)],
      ['garbage', Buffer.from('this is not protobuf at all, just text')],
      ['length past the end', Buffer.from([0x0a, 0x7f, 0x0a, 0x00])],
      ['field number 0', Buffer.from([0x00, 0x01])],
      ['wrong wire type for resourceMetrics', Buffer.from([0x08, 0x01])],
      ['bad temporality', encodeOtlpProtobuf(request({ sum: { aggregationTemporality: 7, dataPoints: [] } }))],
      ['unspecified temporality', encodeOtlpProtobuf(request({ histogram: { dataPoints: [] } }))],
    ];
    for (const [what, body] of cases) expect(() => decodeMetricsProtobuf(body), what).toThrow();
    expect(() => decodeMetricsProtobuf(cases[5]![1])).toThrow(DecodeError);
    expect(() => decodeMetricsProtobuf(cases[5]![1])).toThrow(/aggregationTemporality 7/);
    expect(decodeMetricsProtobuf(Buffer.alloc(0))).toEqual({ resources: [] });
  });

  it('reject bad JSON naming the field', () => {
    const cases: [string, string | RegExp][] = [
      ['{"resourceMetrics":[', /not valid JSON/],
      ['[]', /must be a JSON object/],
      [
        JSON.stringify(request({ sum: { aggregationTemporality: 9 } })),
        'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality',
      ],
      [
        JSON.stringify(request({ histogram: { aggregationTemporality: 'LATER', dataPoints: [] } })),
        'histogram.aggregationTemporality',
      ],
      [
        // Named like an object's own property: not taken for one (a function as the temporality).
        JSON.stringify(request({ histogram: { aggregationTemporality: 'constructor', dataPoints: [] } })),
        'histogram.aggregationTemporality',
      ],
      [
        JSON.stringify(request({ gauge: { dataPoints: [{ asDouble: 'toString', timeUnixNano: '1' }] } })),
        'gauge.dataPoints[0].asDouble',
      ],
      [JSON.stringify(request({ gauge: { dataPoints: [{ asDouble: 'fast' }] } })), 'gauge.dataPoints[0].asDouble'],
      [JSON.stringify(request({ gauge: { dataPoints: [{ timeUnixNano: -5 }] } })), 'gauge.dataPoints[0].timeUnixNano'],
      [
        JSON.stringify(request({ histogram: { aggregationTemporality: 1, dataPoints: [{ bucketCounts: [1, -1] }] } })),
        'bucketCounts[1]',
      ],
      [JSON.stringify({ resourceMetrics: {} }), 'resourceMetrics: must be an array'],
      [JSON.stringify(request({ gauge: { dataPoints: [] }, sum: { aggregationTemporality: 1 } })), 'more than one'],
    ];
    for (const [body, message] of cases) expect(() => decodeMetricsJson(Buffer.from(body)), body).toThrow(message);
  });

  it('keep ms exact for nanosecond times around 2^53 in protobuf', () => {
    for (const ns of ['1800000000999999999', '1795881942588000000', '1000000', '999999']) {
      const body = request({ gauge: { dataPoints: [{ timeUnixNano: ns, asDouble: 1 }] } });
      const decoded: OtlpExport = decodeMetricsProtobuf(encodeOtlpProtobuf(body));
      const point = (decoded.resources[0]!.metrics[0]!.data as { points: { time: number }[] }).points[0]!;
      expect(point.time).toBe(Number(BigInt(ns) / 1_000_000n));
    }
  });
});

/** An export of one resource with one metric per data object given. */
function request(...data: Record<string, unknown>[]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeMetrics: [{ scope: { name: 't' }, metrics: data.map((d, i) => ({ name: `m${i}`, unit: 's', ...d })) }],
      },
    ],
  };
}

/** Protobuf points also carry their attribute bytes (`attributesKey`); JSON ones have none to carry. */
function withoutAttributeKeys(decoded: OtlpExport): OtlpExport {
  for (const resource of decoded.resources) {
    for (const metric of resource.metrics)
      for (const p of (metric.data?.points ?? []) as PointBase[]) delete p.attributesKey;
  }
  return decoded;
}

describe('an export of millions of tiny messages', () => {
  /** `count` copies of `message` (tag and length of an empty one, or nested ones), as one body. */
  const repeated = (message: number[], count: number) =>
    Buffer.from(Array.from({ length: count }, () => message).flat());

  it('is refused past a million decoded messages, naming the limit, before they fill a worker', () => {
    // Two million empty ResourceMetrics (4 MB): each cost an object, and 8 million ran a worker out of memory.
    expect(() => decodeMetricsProtobuf(repeated([0x0a, 0x00], 2_000_000))).toThrow(DecodeError);
    expect(() => decodeMetricsProtobuf(repeated([0x0a, 0x00], 2_000_000))).toThrow(/more than 1,000,000/);
    // One resource, one scope, one gauge of 1.1 million empty data points.
    const points = repeated([0x0a, 0x00], 1_100_000);
    const gauge = [0x2a, ...varint(points.length), ...points];
    const metric = [0x12, ...varint(gauge.length), ...gauge];
    const scope = [0x12, ...varint(metric.length), ...metric];
    const body = Buffer.from([0x0a, ...varint(scope.length), ...scope]);
    expect(() => decodeMetricsProtobuf(body)).toThrow(/more than 1,000,000/);
    expect(() => decodeTracesProtobuf(repeated([0x0a, 0x00], 2_000_000))).toThrow(/more than 1,000,000/);
  });

  it('in JSON, is refused past 2 million objects and arrays before JSON.parse builds them', () => {
    // 2.1 million empty ResourceMetrics (6.3 MB); 5 million ran a worker out of memory (a 500, not a 400).
    const body = Buffer.from(`{"resourceMetrics":[${Array(2_100_000).fill('{}').join(',')}]}`);
    expect(() => decodeMetricsJson(body)).toThrow(DecodeError);
    expect(() => decodeMetricsJson(body)).toThrow(/body: more than 2,000,000 JSON objects and arrays/);
    expect(() => decodeTracesJson(body)).toThrow(/more than 2,000,000/);
    const fine = Buffer.from(`{"resourceMetrics":[${Array(1_900_000).fill('{}').join(',')}]}`);
    expect(decodeMetricsJson(fine).resources).toHaveLength(1_900_000);
  });

  it('decodes below the limit, and each export counts afresh', () => {
    expect(decodeMetricsProtobuf(repeated([0x0a, 0x00], 600_000)).resources).toHaveLength(600_000);
    expect(decodeMetricsProtobuf(repeated([0x0a, 0x00], 600_000)).resources).toHaveLength(600_000);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
