import type { RedResponse } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { throughputRows, totalRows } from '../components/charts/red-rows.ts';
import { rateOverData } from '../components/stat-cards.ts';
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

describe('a window whose start the server snapped out to a coarse bucket', () => {
  it('holds the asked-for span: a bucket falls out as soon as it lies wholly before the window', () => {
    // 30 s asked for at 5 s steps; the server read the start from the 10 s tier and snapped it 5 s earlier.
    const res: RedResponse = {
      from: 0,
      to: 35_000,
      step: 5_000,
      series: [{ service: 'a', points: [0, 5, 10, 15, 20, 25, 30].map((s) => redPoint(s * 1000, 50, 10, 0)) }],
    };
    const buckets = redBuckets(res, 30_000);
    expect(buckets.window).toEqual({ from: 5_000, to: 35_000 });
    expect(buckets.ring.toArray().map((b) => b.t)).toEqual([5_000, 10_000, 15_000, 20_000, 25_000, 30_000]);
    for (let t = 35_000; t < 120_000; t += 1000) {
      buckets.addTick(t, 1, []);
      const first = buckets.ring.at(0)!.t;
      const last = buckets.ring.at(-1)!.t;
      expect(first + buckets.step).toBeGreaterThan(buckets.window.from);
      expect(last - first).toBeLessThanOrEqual(30_000);
    }
  });
});

describe('services that report every 60 s', () => {
  // Both run at 40/s. The response ends at 150 s; `a` has sent up to 110 s, `b` up to 140 s (the server cuts
  // each series there and the merged one at the earliest).
  function setup60() {
    const at40 = (t: number, seconds: number) => redPoint(t, 40 * seconds, 10, 0);
    const res: RedResponse = {
      from: 0,
      to: 150_000,
      step: 60_000,
      series: [
        { service: 'a', interval: 60_000, until: 110_000, points: [at40(0, 60), at40(60_000, 50)] },
        { service: 'b', interval: 60_000, until: 140_000, points: [at40(0, 60), at40(60_000, 60), at40(120_000, 20)] },
        { total: true, interval: 60_000, until: 110_000, points: [at40(0, 120), at40(60_000, 110)] },
      ],
    };
    const live = (count: number) => liveAcc({ ...stats(count), rate: count, interval: 60_000 });
    const stats = (count: number) => ({
      rate: count,
      count,
      errorRate: 0,
      p50: 10,
      p95: 10,
      p99: 10,
      cpu: null,
      memory: null,
    });
    return { buckets: redBuckets(res), live };
  }

  it('divides each service by the seconds it has sent, and leaves out the time it has not', () => {
    const { buckets } = setup60();
    const { names, rows } = throughputRows(buckets, 6);
    expect(names).toEqual(['b', 'a']);
    expect(rows.map((r) => r.v)).toEqual([
      [40, 40],
      [40, 40],
      [40, null],
    ]);
    // The sum holds only what is known: the merged series alone (cut at 110 s) would read 4,400 over 50 s; the
    // last bucket, which `a` has not sent yet, is left out of the total rather than read as `b` alone.
    expect(totalRows(buckets, null).map((r) => [r.rate, r.seconds])).toEqual([
      [80, 60],
      [80, 50],
      [0, 0],
    ]);
    expect(totalRows(buckets, 'a').map((r) => r.rate)).toEqual([40, 40, 0]);
  });

  it('reads the steady rate at the right edge while live seconds fill the open bucket', () => {
    const { buckets, live } = setup60();
    for (let t = 150_000; t < 170_000; t += 1000) {
      buckets.addTick(
        t,
        1,
        [
          ['a', live(40)],
          ['b', live(40)],
        ],
        live(80),
      );
      const edge = totalRows(buckets, null).at(-1)!;
      expect(edge.rate).toBeCloseTo(80, 6);
      expect(
        throughputRows(buckets, 6)
          .rows.at(-1)!
          .v.map((v) => v?.toFixed(6)),
      ).toEqual(['40.000000', '40.000000']);
    }
  });

  it('reads a service that stopped reporting as quiet, not unknown, beside one that still reports', () => {
    const res: RedResponse = {
      from: 0,
      to: 600_000,
      step: 60_000,
      series: [
        {
          service: 'a',
          interval: 60_000,
          until: 570_000,
          points: [...Array(10)].map((_, i) => redPoint(i * 60_000, i === 9 ? 1200 : 2400, 10, 0)),
        },
        {
          service: 'b',
          interval: 60_000,
          until: 120_000,
          points: [redPoint(0, 2400, 10, 0), redPoint(60_000, 2400, 10, 0)],
        },
      ],
    };
    const rows = totalRows(redBuckets(res), null);
    expect(rows.map((r) => r.rate)).toEqual([80, 80, 40, 40, 40, 40, 40, 40, 40, 40]);
  });

  it('gives the window figure of the stat cards over what is known', () => {
    const { buckets } = setup60();
    expect(rateOverData(totalRows(buckets, null))).toBeCloseTo(80, 6);
  });
});
