import type { RedResponse } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { liveAcc, redAcc, redBuckets, redValues } from './red-acc.ts';
import { redPoint } from './test-points.ts';

function setup() {
  // Three 10 s buckets over [0, 25 s): the last covers 5 s so far.
  const res: RedResponse = {
    from: 0,
    to: 25_000,
    step: 10_000,
    series: [
      { service: 'a', points: [redPoint(0, 100, 50, 0.1), redPoint(10_000, 50, 20, 0), redPoint(20_000, 10, 10, 0)] },
    ],
  };
  const buckets = redBuckets(res);
  const stats = (count: number, p99: number) => ({ count, errorRate: 0.5, p50: p99, p95: p99, p99 });
  return { buckets, stats };
}

describe('chart buckets with live seconds', () => {
  it('counts only the seconds of a bucket inside the range, as the server does', () => {
    const { buckets } = setup();
    const last = buckets.ring.at(-1)!;
    expect(last.seconds).toBe(5);
    expect(redValues(last.values.get('a'), last.seconds).rate).toBe(2);
    expect(buckets.window).toEqual({ from: 0, to: 25_000 });
  });

  it('folds the next second into the open bucket: exact rate and error rate, weighted percentiles', () => {
    const { buckets, stats } = setup();
    expect(buckets.addTick(25_000, 1, [['a', redAcc(stats(2, 40))]])).toBe('changed');
    const last = buckets.ring.at(-1)!;
    const v = redValues(last.values.get('a'), last.seconds);
    expect(v.rate).toBe(12 / 6);
    expect(v.errorRate).toBeCloseTo(1 / 12);
    expect(v.p99).toBeCloseTo((10 * 10 + 2 * 40) / 12);
  });

  it('opens a new bucket and lets the oldest fall out, sliding the window', () => {
    const { buckets, stats } = setup();
    for (let t = 25_000; t < 31_000; t += 1000) buckets.addTick(t, 1, [['a', redAcc(stats(1, 5))]]);
    expect(buckets.ring.toArray().map((b) => b.t)).toEqual([0, 10_000, 20_000, 30_000]);
    buckets.addTick(31_000, 1, []);
    buckets.addTick(32_000, 1, []);
    expect(buckets.window).toEqual({ from: 8_000, to: 33_000 });
    for (let t = 33_000; t < 41_000; t += 1000) buckets.addTick(t, 1, []);
    expect(buckets.ring.toArray().map((b) => b.t)).toEqual([10_000, 20_000, 30_000, 40_000]);
  });

  it('skips seconds already loaded and reports a gap before a missing one', () => {
    const { buckets } = setup();
    expect(buckets.addTick(24_000, 1, [])).toBe('stale');
    expect(buckets.addTick(27_000, 1, [])).toBe('gap');
    expect(buckets.ring.at(-1)!.seconds).toBe(5);
  });

  it('a second without requests lowers the rate and leaves percentiles alone', () => {
    const { buckets } = setup();
    buckets.addTick(25_000, 1, []);
    const last = buckets.ring.at(-1)!;
    expect(redValues(last.values.get('a'), last.seconds)).toMatchObject({ rate: 10 / 6, p99: 10 });
  });
});

describe('live seconds of a service that reports every N seconds', () => {
  it('count the interval rate once per second, not the interval count N times', () => {
    const stats = { rate: 2, errorRate: 0.5, p50: 10, p95: 20, p99: 30, count: 120, cpu: null, memory: null };
    expect(liveAcc({ ...stats, interval: 60_000 })).toMatchObject({ count: 2, errors: 1 });
    expect(liveAcc({ ...stats, interval: 1000 })).toMatchObject({ count: 120 });
    expect(liveAcc(stats)).toMatchObject({ count: 120 });
  });
});
