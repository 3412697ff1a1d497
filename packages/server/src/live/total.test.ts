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

  it('merges a sketch of a 60 s interval at its rate: its percentiles count as much as a 1 s neighbour at the same rate', () => {
    // A 60 s reporter (10/s at 500 ms: 600 requests in its sketch) beside a per-second one (30/s at 10 ms).
    const slowSketch = new Sketch();
    slowSketch.add(500, 600);
    const slow = { stats: { ...source(10, 0, 500, {}).stats, count: 600, interval: 60_000 }, sketch: slowSketch };
    const total = liveTotal([slow, source(30, 0, 10, {})]);
    // Exactly: a quarter of each second's requests take 500 ms, so p50 is 10 ms and p95 500 ms. Counted by
    // requests in the sketches (600 against 30), p50 would read 500 ms.
    expect(total.p50).toBeCloseTo(10, 0);
    expect(total.p95).toBeCloseTo(500, -1);
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
