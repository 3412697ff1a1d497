import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { decodeMetricsProtobuf } from './decode-protobuf.ts';
import type { HistogramPoint, PointBase } from './model.ts';

/** What the protobuf decoder shares between points of one request instead of decoding it again. */
describe('OTLP protobuf decoder', () => {
  it('decode identical attribute bytes once per request, and attributes interleaved with other fields too', () => {
    const w = protobuf.Writer.create();
    const attribute = (key: string, value: string) => {
      w.uint32((7 << 3) | 2).fork(); // NumberDataPoint.attributes = 7
      w.uint32(10).string(key);
      w.uint32(18).fork().uint32(10).string(value).ldelim();
      w.ldelim();
    };
    const point = (interleaved: boolean) => {
      w.uint32(10).fork(); // Gauge.dataPoints = 1
      attribute('a', '1');
      if (!interleaved) attribute('b', '2');
      w.uint32((3 << 3) | 1).fixed64(1_795_881_943_600_000_000); // timeUnixNano
      w.uint32((4 << 3) | 1).double(2.5); // asDouble
      if (interleaved) attribute('b', '2');
      w.ldelim();
    };
    w.uint32(10).fork().uint32(18).fork().uint32(18).fork(); // resourceMetrics, scopeMetrics, metrics
    w.uint32(10).string('g');
    w.uint32(42).fork(); // Metric.gauge = 5
    point(false);
    point(false);
    point(true);
    w.ldelim().ldelim().ldelim().ldelim();
    const data = decodeMetricsProtobuf(w.finish()).resources[0]!.metrics[0]!.data!;
    const [first, second, interleaved] = data.points as PointBase[];
    for (const p of [first, second, interleaved]) expect(p!.attributes).toEqual({ a: '1', b: '2' });
    expect(second!.attributes).toBe(first!.attributes);
    expect(second!.attributesKey).toBe(first!.attributesKey);
    expect(interleaved!.attributesKey).toBeUndefined();
  });

  it('share the bounds array of points with identical packed bounds, and never append to a shared one', () => {
    const w = protobuf.Writer.create();
    const packedBounds = (bounds: number[]) => {
      w.uint32((7 << 3) | 2).fork(); // HistogramDataPoint.explicit_bounds = 7, packed
      for (const b of bounds) w.double(b);
      w.ldelim();
    };
    const point = (runs: number[][]) => {
      w.uint32(10).fork(); // Histogram.dataPoints = 1
      w.uint32((3 << 3) | 1).fixed64(1_795_881_943_600_000_000); // timeUnixNano
      for (const run of runs) packedBounds(run);
      w.ldelim();
    };
    w.uint32(10).fork().uint32(18).fork().uint32(18).fork(); // resourceMetrics, scopeMetrics, metrics
    w.uint32(10).string('h');
    w.uint32(74).fork(); // Metric.histogram = 9
    point([[1, 2, 3]]);
    point([[1, 2, 3]]);
    point([[1, 2, 3], [4]]); // a second packed run appends to this point's own copy
    point([[1, 2, 3]]);
    w.uint32(16).uint32(1); // aggregationTemporality = DELTA
    w.ldelim().ldelim().ldelim().ldelim();
    const points = decodeMetricsProtobuf(w.finish()).resources[0]!.metrics[0]!.data!.points as HistogramPoint[];
    expect(points.map((p) => p.bounds)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3, 4],
      [1, 2, 3],
    ]);
    expect(points[1]!.bounds).toBe(points[0]!.bounds);
    expect(points[3]!.bounds).toBe(points[0]!.bounds);
  });
});
