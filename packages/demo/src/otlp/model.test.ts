import type { NativeItem } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { countObservations } from '../encodings.ts';
import { DemoGenerator } from '../generator.ts';
import { buildExportRequest, DURATION_BOUNDS_S, nanos } from './model.ts';

const T = 1_795_881_944_000;

const requests: NativeItem = {
  service: 'api',
  name: 'http.server.request.duration',
  type: 'histogram',
  unit: 'ms',
  attributes: {
    'http.route': '/a',
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    'service.instance.id': 'api-1',
  },
  // Two seconds: 5 ms sits on a bound (inclusive), 12 s is past the last one.
  points: [
    [T + 10, 5],
    [T + 900, 30],
    [T + 1500, 12_000],
  ],
};
const cpu: NativeItem = {
  service: 'api',
  name: 'process.cpu.utilization',
  type: 'gauge',
  unit: '1',
  value: 0.25,
  timestamp: T,
  attributes: { 'service.instance.id': 'api-1' },
};

describe('buildExportRequest', () => {
  it('makes one resource per instance and one delta histogram point per series and second, in seconds', () => {
    const request = buildExportRequest([requests, cpu]);
    expect(request.resourceMetrics).toHaveLength(1);
    const [rm] = request.resourceMetrics;
    expect(rm!.resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'api' } },
      { key: 'service.instance.id', value: { stringValue: 'api-1' } },
    ]);
    const [histogram, gauge] = rm!.scopeMetrics[0]!.metrics;
    expect(histogram).toMatchObject({ name: 'http.server.request.duration', unit: 's' });
    expect(histogram!.histogram!.aggregationTemporality).toBe(1);
    const [first, second] = histogram!.histogram!.dataPoints;
    expect(first).toMatchObject({
      startTimeUnixNano: nanos(T),
      timeUnixNano: nanos(T + 1000),
      count: '2',
      min: 0.005,
      max: 0.03,
      explicitBounds: DURATION_BOUNDS_S,
    });
    expect(first!.sum).toBeCloseTo(0.035, 12);
    expect(first!.bucketCounts).toEqual(['1', '0', '0', '1', ...new Array(11).fill('0')]);
    expect(first!.attributes).toEqual([
      { key: 'http.route', value: { stringValue: '/a' } },
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.response.status_code', value: { intValue: '200' } },
    ]);
    expect(second).toMatchObject({ count: '1', startTimeUnixNano: nanos(T + 1000), min: 12, max: 12 });
    expect(second!.bucketCounts.at(-1)).toBe('1');
    expect(gauge).toEqual({
      name: 'process.cpu.utilization',
      unit: '1',
      gauge: { dataPoints: [{ attributes: [], startTimeUnixNano: nanos(T), timeUnixNano: nanos(T), asDouble: 0.25 }] },
    });
  });

  it('keeps every generated observation: histogram counts plus gauge points equal the native count', () => {
    const items = new DemoGenerator({ seed: 3, origin: T }).observe(T, T + 2000);
    let total = 0;
    for (const rm of buildExportRequest(items).resourceMetrics) {
      for (const m of rm.scopeMetrics[0]!.metrics) {
        for (const p of m.histogram?.dataPoints ?? []) total += Number(p.count);
        total += m.gauge?.dataPoints.length ?? 0;
      }
    }
    expect(total).toBeGreaterThan(100);
    expect(total).toBe(countObservations(items));
  });

  it('writes nanoseconds exactly, past 2^53', () => {
    expect(nanos(T)).toBe('1795881944000000000');
  });
});
