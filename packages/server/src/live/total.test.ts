import { describe, expect, it } from 'vitest';
import { Sketch } from '../sketch/sketch.ts';
import { liveTotal } from './total.ts';

describe('liveTotal', () => {
  it('adds rates and merges sketches: one slow service keeps the p99 up', () => {
    const fast = source(1000, 0.01, 10, { cpu: 0.2, memory: 100 });
    const slow = source(20, 0.5, 500, { cpu: 0.6, memory: null });
    const total = liveTotal([fast, slow]);
    expect(total.rate).toBe(1020);
    // 10 + 10 errors per second over 1020 requests per second.
    expect(total.errorRate).toBeCloseTo(20 / 1020, 6);
    expect(total.p50).toBeCloseTo(10, -1);
    expect(total.p99).toBeGreaterThan(490);
    expect(total.cpu).toBeCloseTo(0.4, 6);
    expect(total.memory).toBe(100);
  });

  it('weighs figures that cover a longer reporting interval by their rate, not their count', () => {
    // 600 requests over a 60 s interval (10/s, all errors) and 10 requests in one second (10/s, none).
    const minute = { ...source(600, 1, 5, {}), stats: { ...source(10, 1, 5, {}).stats, count: 600, interval: 60_000 } };
    const total = liveTotal([minute, source(10, 0, 5, {})]);
    expect(total.rate).toBe(20);
    expect(total.errorRate).toBeCloseTo(0.5, 6);
    expect(total.interval).toBe(60_000);
  });

  it('has no percentiles, CPU or memory without data', () => {
    expect(liveTotal([])).toEqual({
      rate: 0,
      errorRate: null,
      p50: null,
      p95: null,
      p99: null,
      count: 0,
      cpu: null,
      memory: null,
      interval: 1000,
    });
  });
});

function source(rate: number, errorRate: number, latency: number, gauges: { cpu?: number; memory?: number | null }) {
  const sketch = new Sketch();
  sketch.add(latency, rate);
  return {
    stats: {
      rate,
      errorRate,
      p50: latency,
      p95: latency,
      p99: latency,
      count: rate,
      cpu: gauges.cpu ?? null,
      memory: gauges.memory ?? null,
    },
    sketch,
  };
}
