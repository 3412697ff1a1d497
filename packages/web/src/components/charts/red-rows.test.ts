import type { RedResponse } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { redAcc, redBuckets } from '../../live/red-acc.ts';
import { settleBucket } from '../../live/settle.ts';
import { redPoint } from '../../live/test-points.ts';
import { coverage } from '../stat-cards.ts';
import { throughputRows, totalRows } from './red-rows.ts';

function setup() {
  // Three 10 s buckets; nothing had data in the first. `fast` and `slow` differ 100x in latency: the server's
  // merged p99 (900) is far from any average of theirs.
  const res: RedResponse = {
    from: 0,
    to: 30_000,
    step: 10_000,
    series: [
      { service: 'fast', points: [redPoint(0, 0, null), redPoint(10_000, 90, 10), redPoint(20_000, 90, 10)] },
      { service: 'slow', points: [redPoint(0, 0, null), redPoint(10_000, 10, 1000), redPoint(20_000, 0, null)] },
      { total: true, points: [redPoint(0, 0, null), redPoint(10_000, 100, 900), redPoint(20_000, 90, 10)] },
    ],
  };
  return { buckets: redBuckets(res) };
}

describe('chart rows', () => {
  it('takes all services together from the server total, never an average of percentiles', () => {
    const { buckets } = setup();
    expect(totalRows(buckets, null).map((r) => r.p99)).toEqual([null, 900, 10]);
    expect(totalRows(buckets, 'slow').map((r) => r.p99)).toEqual([null, 1000, null]);
  });

  it('folds live totals into the open bucket', () => {
    const { buckets } = setup();
    const total = redAcc({ count: 10, errorRate: 0, p50: 10, p95: 10, p99: 10 });
    buckets.addTick(30_000, 1, [['fast', total]], total);
    expect(totalRows(buckets, null).at(-1)).toMatchObject({ t: 30_000, rate: 10, p99: 10 });
  });

  it('draws a gap where no service had data, and 0 for a quiet service beside busy ones', () => {
    const { buckets } = setup();
    const { names, rows } = throughputRows(buckets, 6);
    expect(names).toEqual(['fast', 'slow']);
    expect(rows.map((r) => r.v)).toEqual([
      [null, null],
      [9, 1],
      [9, 0],
    ]);
  });
});

describe('a closed bucket reloaded from the server', () => {
  it('takes the server merge in place of the live seconds combined', () => {
    const { buckets } = setup();
    const res: RedResponse = {
      from: 20_000,
      to: 30_000,
      step: 10_000,
      series: [
        { service: 'fast', points: [redPoint(20_000, 90, 12)] },
        { total: true, points: [redPoint(20_000, 90, 12)] },
      ],
    };
    const exact = settleBucket(res, 20_000, 30_000, 31_000);
    expect(exact && 'values' in exact && buckets.replace(20_000, exact.values, exact.total)).toBe(true);
    expect(totalRows(buckets, null).at(-1)?.p99).toBe(12);
    // A read the server snapped to other edges describes other time: not used.
    expect(settleBucket({ ...res, from: 10_000 }, 20_000, 30_000, 31_000)).toBeNull();
    expect(buckets.replace(-10_000, new Map(), null)).toBe(false);
  });
});

describe('a closed bucket a service that reports every 60 s has not sent in full', () => {
  const minute = (series: RedResponse['series']): RedResponse => ({ from: 60_000, to: 120_000, step: 60_000, series });
  const fast = { service: 'fast', points: [redPoint(60_000, 600, 10)] };

  it('is read again once its next export is due, then takes what the server has', () => {
    // `slow` last sent up to 90 s: its next export covers the rest of the bucket and arrives by 152 s.
    const partial = minute([
      fast,
      { service: 'slow', interval: 60_000, until: 90_000, points: [redPoint(60_000, 300, 50)] },
    ]);
    expect(settleBucket(partial, 60_000, 120_000, 121_000)).toEqual({ retryAt: 152_000 });
    // Later than that: again a few seconds on.
    expect(settleBucket(partial, 60_000, 120_000, 160_000)).toEqual({ retryAt: 165_000 });
    const whole = minute([fast, { service: 'slow', interval: 60_000, points: [redPoint(60_000, 600, 50)] }]);
    const settled = settleBucket(whole, 60_000, 120_000, 152_000);
    expect(settled && 'values' in settled && settled.values.get('slow')?.count).toBe(600);
  });

  it('of a service sending in batches is read again as its data comes in, not seconds after', () => {
    // Spans every 5 s, 6 s late: complete up to 6 s before now, so the rest of bucket [20 s, 30 s) is in by 36 s.
    const batches = (until: number): RedResponse => ({
      from: 20_000,
      to: 30_000,
      step: 10_000,
      series: [{ service: 'traced', interval: 6_000, until, points: [redPoint(20_000, 80, 10)] }],
    });
    expect(settleBucket(batches(24_000), 20_000, 30_000, 30_300)).toEqual({ retryAt: 32_000 });
    expect(settleBucket(batches(26_000), 20_000, 30_000, 32_100)).toEqual({ retryAt: 34_000 });
  });

  it('takes what a service two intervals past its last report sent: it has stopped', () => {
    const stopped = minute([
      fast,
      { service: 'slow', interval: 60_000, until: 90_000, points: [redPoint(60_000, 300, 50)] },
    ]);
    const settled = settleBucket(stopped, 60_000, 120_000, 211_000);
    expect(settled && 'values' in settled && settled.values.get('slow')?.count).toBe(300);
  });

  it('is marked to be read again when loaded', () => {
    const res: RedResponse = {
      from: 0,
      to: 150_000,
      step: 60_000,
      series: [
        { service: 'slow', interval: 60_000, until: 90_000, points: [redPoint(0, 60, 10), redPoint(60_000, 30, 10)] },
      ],
    };
    // The bucket of 60-120 s lacks 30 s of `slow`; the open one is folded into live.
    expect([...redBuckets(res).unsettled.keys()]).toEqual([60_000]);
  });
});

describe('a service that started within the range', () => {
  // Minute buckets; `fresh` started 45 s into the second minute (its `since`) and has sent 150 requests since,
  // 10/s; `steady` sends 5/s throughout.
  const res: RedResponse = {
    from: 0,
    to: 120_000,
    step: 60_000,
    series: [
      { service: 'steady', points: [redPoint(0, 300, 10), redPoint(60_000, 300, 10)] },
      { service: 'fresh', since: 105_000, points: [redPoint(0, 0, null), redPoint(60_000, 150, 10)] },
      { total: true, points: [redPoint(0, 300, 10), redPoint(60_000, 450, 10)] },
    ],
  };

  it('divides its requests by the seconds since it started, and draws no 0 before it existed', () => {
    const buckets = redBuckets(res);
    // Its first minute is no data, not quiet time; the time before its start counts toward "data N%".
    expect(totalRows(buckets, 'fresh').map((r) => [r.rate, r.seconds, r.span])).toEqual([
      [0, 0, 60],
      [10, 15, 60],
    ]);
    expect(coverage(totalRows(buckets, 'fresh'))).toBe(15 / 120);
    // All services: 5/s + 10/s, over the minute every service had data in.
    expect(totalRows(buckets, null).map((r) => [r.rate, r.seconds, r.span])).toEqual([
      [5, 60, 60],
      [15, 60, 60],
    ]);
    expect(throughputRows(buckets, 6).rows.map((r) => r.v)).toEqual([
      [5, null],
      [5, 10],
    ]);
  });

  it('keeps that when the bucket is read again from the server', () => {
    const buckets = redBuckets(res);
    const reread = redBuckets({ ...res, from: 60_000 });
    const bucket = reread.ring.at(-1)!;
    expect(buckets.replace(60_000, bucket.values, bucket.total)).toBe(true);
    expect(totalRows(buckets, 'fresh').at(-1)?.rate).toBe(10);
  });
});
