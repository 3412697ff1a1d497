import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addExplicit, type LayoutCounts, spreadInto } from '../../aggregate/explicit-counts.ts';
import type { ExplicitPoint } from '../../model.ts';
import { Sketch } from '../../sketch/sketch.ts';
import { DEFAULT_LIMITS } from '../native/decode.ts';
import { Conversion } from './convert.ts';
import { decodeMetricsJson } from './decode-json.ts';
import { decodeMetricsProtobuf } from './decode-protobuf.ts';
import { encodeOtlpProtobuf } from './test-encoder.ts';

const NOW = 1_795_881_943_600;
const NS = (ms: number) => `${ms}000000`;
const limits = { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 };
const convert = (body: unknown) =>
  new Conversion(NOW, limits).run(decodeMetricsJson(Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body))));
const sample = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'testdata', name));

describe('OTLP -> samples', () => {
  it('maps the delta sample: histograms in ms with exact min/max, counters, up-down counter as gauge', () => {
    const c = convert(sample('metrics-delta-1.json'));
    expect(c.rejections.count).toBe(0);
    expect(c.cumulative).toEqual([]);
    const byName = (name: string) => c.entries.filter((e) => e.samples.identity.name === name).map((e) => e.samples);
    const [ok, error] = byName('http.server.request.duration');
    expect(ok!.identity).toEqual({
      service: 'checkout-api',
      name: 'http.server.request.duration',
      kind: 'histogram',
      unit: 'ms',
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/items',
        'http.response.status_code': 200,
        'url.scheme': 'http',
      },
    });
    // Histogram points stay bucket counts in the sender's unit, with the factor to ms beside them.
    expect(ok!.values).toEqual([]);
    expect(ok!.explicit).toMatchObject([{ count: 2, scale: 1000, min: 0.012, max: 0.2, exact: true }]);
    // Spread, min and max are observations of their own: 12 ms and 200 ms.
    const spread = (points: readonly ExplicitPoint[]) => {
      const sketch = new Sketch();
      const layouts: LayoutCounts[] = [];
      for (const p of points) addExplicit(layouts, p);
      spreadInto(layouts, sketch);
      return [sketch.count, sketch.min, sketch.max];
    };
    expect(spread(ok!.explicit!)).toEqual([2, 12, 200]);
    expect(spread(error!.explicit!)).toEqual([1, 1700, 1700]);
    expect(byName('http.server.requests').map((s) => [s.identity.kind, s.values])).toEqual([
      ['counter', [2]],
      ['counter', [1]],
      ['counter', [1]],
    ]);
    expect(byName('process.memory.usage')[0]).toMatchObject({
      identity: { kind: 'gauge', unit: 'By' },
      values: [123456789],
    });
    expect(byName('http.server.active_requests')[0]).toMatchObject({ identity: { kind: 'gauge' }, values: [2] });
  });

  it('groups protobuf points by their attribute bytes into the same series as JSON, resource attributes included', () => {
    const body = JSON.parse(sample('metrics-delta-1.json').toString());
    // Two copies of the resource, different instances: four points per series name, two series each.
    const resource = body.resourceMetrics[0];
    const instance = (id: string) => ({
      ...resource,
      resource: {
        attributes: [...resource.resource.attributes, { key: 'service.instance.id', value: { stringValue: id } }],
      },
    });
    body.resourceMetrics = [instance('a'), instance('b'), instance('a')];
    const summary = (c: Conversion) => c.entries.map((e) => [e.samples.identity, e.points.length]);
    const fromProtobuf = new Conversion(NOW, limits).run(decodeMetricsProtobuf(encodeOtlpProtobuf(body)));
    const fromJson = convert(body);
    expect(fromProtobuf.entries.length).toBeGreaterThan(0);
    // JSON groups a series across resources; protobuf keeps one entry per resource (the same series twice is fine).
    const bySeries = (c: Conversion) => {
      const out = new Map<string, number>();
      for (const [identity, points] of summary(c))
        out.set(JSON.stringify(identity), (out.get(JSON.stringify(identity)) ?? 0) + (points as number));
      return out;
    };
    expect(bySeries(fromProtobuf)).toEqual(bySeries(fromJson));
  });

  it('holds cumulative sums and histograms back for the delta step, keyed by series', () => {
    const c = convert(sample('metrics-cumulative.json'));
    expect(c.cumulative.map((p) => [p.identity.name, p.value.type, p.scale])).toEqual([
      ['http.server.request.duration', 'histogram', 1000],
      ['http.server.request.duration', 'histogram', 1000],
      ['http.server.request.duration', 'histogram', 1000],
      ['http.server.requests', 'sum', 1],
      ['http.server.requests', 'sum', 1],
      ['http.server.requests', 'sum', 1],
    ]);
    expect(new Set(c.cumulative.map((p) => p.key)).size).toBe(6);
    expect(c.entries.map((e) => e.samples.identity.name)).toEqual([
      'process.memory.usage',
      'http.server.active_requests',
    ]);
  });

  it('turns a summary into NAME.count and NAME.sum counters and a quantile gauge, in ms', () => {
    const c = convert(
      body([
        {
          name: 'rpc.latency',
          unit: 's',
          summary: {
            dataPoints: [
              {
                timeUnixNano: NS(NOW),
                count: 4,
                sum: 2,
                quantileValues: [
                  { quantile: 0.5, value: 0.25 },
                  { quantile: 0.99, value: 1.5 },
                ],
              },
            ],
          },
        },
      ]),
    );
    expect(c.cumulative.map((p) => [p.identity.name, p.identity.kind, p.identity.unit, p.value, p.scale])).toEqual([
      ['rpc.latency.count', 'counter', '', { type: 'sum', value: 4 }, 1],
      ['rpc.latency.sum', 'counter', 'ms', { type: 'sum', value: 2 }, 1000],
    ]);
    expect(c.entries.map((e) => [e.samples.identity.attributes.quantile, e.samples.values[0]])).toEqual([
      [0.5, 250],
      [0.99, 1500],
    ]);
  });

  it('names the service from the resource (unknown_service without one) and keeps namespace and instance', () => {
    const resource = [
      { key: 'service.namespace', value: { stringValue: 'shop' } },
      { key: 'service.instance.id', value: { stringValue: 'pod-1' } },
      { key: 'host.name', value: { stringValue: 'h1' } },
    ];
    const c = convert(body([gauge('g', 1)], resource));
    expect(c.entries[0]!.samples.identity).toMatchObject({
      service: 'unknown_service',
      attributes: { 'service.namespace': 'shop', 'service.instance.id': 'pod-1', k: 'v' },
    });
    expect(c.entries[0]!.samples.identity.attributes['host.name']).toBeUndefined();
  });

  it('converts byte multiples to bytes and keeps non-distribution durations as sent', () => {
    const c = convert(
      body([
        { ...gauge('mem', 2), unit: 'MiBy' },
        { ...gauge('uptime', 3), unit: 's' },
      ]),
    );
    expect(c.entries.map((e) => [e.samples.identity.unit, e.samples.values[0]])).toEqual([
      ['By', 2 * 1024 ** 2],
      ['s', 3],
    ]);
  });

  it('gives the legacy http.server.duration the current status attribute, so its 5xx count as errors', () => {
    const histogram = (name: string) => ({
      name,
      unit: 'ms',
      histogram: {
        aggregationTemporality: 1,
        dataPoints: [
          {
            ...point(0),
            attributes: [{ key: 'http.status_code', value: { intValue: 503 } }],
            count: 1,
            bucketCounts: [1],
          },
        ],
      },
    });
    const c = convert(body([histogram('http.server.duration'), histogram('db.duration')]));
    expect(c.entries.map((e) => e.samples.identity.attributes)).toEqual([
      { 'http.status_code': 503, 'http.response.status_code': 503 },
      { 'http.status_code': 503 },
    ]);
  });

  it('skips NO_RECORDED_VALUE points and refuses bad ones one by one with reasons', () => {
    const attributes = Array.from({ length: 65 }, (_, i) => ({ key: `k${i}`, value: { intValue: i } }));
    const c = convert(
      body([
        {
          name: 'g',
          gauge: {
            dataPoints: [
              point(1),
              { ...point(Number.NaN), flags: 1 },
              point('NaN'),
              point(1.7e308),
              point(1, NOW - 401 * 86_400_000),
            ],
          },
        },
        {
          name: 'late',
          gauge: { dataPoints: [point(1, NOW + 11 * 60_000), { asDouble: 1 }, { ...point(1), attributes }] },
        },
        { name: 'c', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point(-1)] } },
        {
          name: 'h',
          histogram: {
            aggregationTemporality: 1,
            dataPoints: [{ ...point(0), count: 3, bucketCounts: [1, 1], explicitBounds: [1] }],
          },
        },
        { name: 'e', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ ...point(0), scale: 30 }] } },
      ]),
    );
    expect(c.entries.length).toBe(1);
    expect(c.points).toBe(11);
    expect(c.rejections.count).toBe(9);
    const message = c.rejections.message();
    for (const reason of [
      '9 data points rejected',
      '2 with a missing or non-finite value, or one beyond +-1e+300',
      'older than the longest retention',
      'more than 10 minutes ahead',
      'without timeUnixNano',
      'with more than 64 attributes',
      'monotonic sum that is negative',
      'count is not the sum of its bucketCounts',
      'scale outside -10..20',
    ]) {
      expect(message).toContain(reason);
    }
  });
});

function point(value: number | string, time = NOW) {
  return { timeUnixNano: NS(time), asDouble: value, attributes: [{ key: 'k', value: { stringValue: 'v' } }] };
}

function gauge(name: string, value: number) {
  return { name, gauge: { dataPoints: [point(value)] } };
}

function body(metrics: unknown[], resource: unknown[] = []) {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ metrics }] }] };
}
