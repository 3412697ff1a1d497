import { describe, expect, it } from 'vitest';
import type { ExplicitPoint } from '../model.ts';
import { decodeSketch } from '../sketch/codec.ts';
import { forEachRed, forEachSample, type Rows } from '../store/rows.ts';
import type { RedBucket, SampleBucket, SeriesRecord } from '../store/store.ts';
import { fold } from './fold.ts';

describe('fold', () => {
  it('writes each series to every tier from 10 s up with the same totals, and 1 s RED rollups', () => {
    const ok = record(1, { isError: false });
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
    const timestamps = [t0 + 100, t0 + 900, t0 + 1_500, t0 + 65_000];
    const set = tables(fold([{ record: ok, timestamps, values: [10, 20, 30, 40] }]).rows);
    expect(set.samples.map((rows) => rows.length)).toEqual([0, 2, 2, 1]);
    expect(set.redServices[0]!.map((r) => r.count)).toEqual([2, 1, 1]);
    for (const rows of set.samples.slice(1)) {
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(4);
      expect(rows.reduce((n, r) => n + r.sum, 0)).toBe(100);
    }
    expect(set.samples[3]![0]).toMatchObject({ t: t0, min: 10, max: 40, last: 40, lastT: t0 + 65_000 });
  });

  it('combines series of one service into one RED row per bucket and live second, counting errors', () => {
    const t = 1_800_000_000_000;
    const { rows, seconds } = fold([
      { record: record(1, { isError: false }), timestamps: [t, t], values: [5, 6] },
      { record: record(2, { isError: true }), timestamps: [t], values: [500] },
      { record: record(3, { isError: false, route: '/b' }), timestamps: [t], values: [7] },
    ]);
    const set = tables(rows);
    // The live stream sees the same second as the 1 s rollup.
    const live = seconds.get(t)?.get('svc');
    expect(live).toMatchObject({ count: 4, errors: 1 });
    expect(live?.sketch.quantile(0)).toBeCloseTo(5, 0);
    expect(live?.sketch.quantile(1)).toBe(500);
    expect(set.redServices[0]).toHaveLength(1);
    expect(set.redServices[0]![0]).toMatchObject({ service: 'svc', count: 4, errors: 1 });
    expect(decodeSketch(set.redServices[0]![0]!.sketch).quantile(1)).toBe(500);
    expect(set.redRoutes[0]).toEqual([]); // routes start at the 10 s tier
    const routes = Object.fromEntries(set.redRoutes[1]!.map((r) => [r.route, [r.count, r.errors]]));
    expect(routes).toEqual({ '/a': [3, 1], '/b': [1, 0] });
  });

  it('opens at most maxBuckets buckets, the rows it writes, and refuses the batch with 413 past them', () => {
    const t = 1_800_000_000_000;
    const inputs = [
      { record: record(1, { isError: false }), timestamps: [t, t + 15_000, t + 70_000], values: [5, 6, 7] },
      { record: record(2, { isError: false, route: '/b' }), timestamps: [t + 3_600_000], values: [8] },
    ];
    const set = tables(fold(inputs).rows);
    const written = [...set.samples, ...set.redServices, ...set.redRoutes].reduce((n, rows) => n + rows.length, 0);
    expect(() => fold(inputs, { maxBuckets: written })).not.toThrow();
    expect(() => fold(inputs, { maxBuckets: written - 1 })).toThrow(
      expect.objectContaining({ code: 'PULSE_ERR_BODY_TOO_LARGE' }),
    );
  });

  it('adds weighted values as that many observations, and can skip fine tiers', () => {
    const t = 1_800_000_000_000;
    const { rows, seconds } = fold(
      [{ record: record(1, { isError: false }), timestamps: [t, t], values: [5, 50], weights: [30, 10] }],
      { fromTier: 1 },
    );
    const set = tables(rows);
    expect(set.samples[0]).toEqual([]);
    expect(seconds.size).toBe(0);
    expect(set.samples[1]![0]).toMatchObject({ count: 40, sum: 650 });
    expect(decodeSketch(set.samples[1]![0]!.sketch!).quantile(0.5)).toBeCloseTo(5, 0);
  });

  it('sums explicit histogram points per bounds layout and spreads each row once: exact counts, percentiles in the right bucket', () => {
    const t = 1_800_000_000_000;
    const bounds = [0.1, 0.5, 1];
    const point = (time: number, counts: number[], min: number, max: number, sum: number) =>
      explicitPoint({ time, bounds, counts, min, max, sum, exact: true });
    const explicit = [
      point(t, [0, 8, 2, 0], 0.2, 0.9, 4),
      point(t + 1_000, [1, 5, 0, 0], 0.05, 0.4, 1.5),
      // Same bounds in another array, and another layout, in the same 10 s bucket.
      { ...point(t + 2_000, [0, 0, 0, 3], 1.5, 3, 6), bounds: [...bounds] },
      { ...point(t + 3_000, [4, 0], 0.01, 0.02, 0.06), bounds: [0.05] },
    ];
    const { rows, seconds } = fold([{ record: record(1, { isError: false }), timestamps: [], values: [], explicit }]);
    const set = tables(rows);
    const row = set.samples[1]![0]!;
    expect(row).toMatchObject({ count: 23, min: 10, max: 3000 });
    expect(row.sum).toBeCloseTo(11_560, 6); // every layout's spread matches its points' sums
    expect(row.last).toBeCloseTo(15, 6); // the newest point's mean
    const sketch = decodeSketch(row.sketch!);
    expect(sketch.count).toBe(23);
    // 4 below 50 ms, 1 in (0, 100], 13 in (100, 500], 2 in (500, 1000], 3 above 1 s.
    const inside = (q: number, lo: number, hi: number) => {
      const v = sketch.quantile(q)!;
      expect(v).toBeGreaterThan(lo);
      expect(v).toBeLessThanOrEqual(hi);
    };
    inside(0.1, 0, 50);
    inside(0.5, 100, 500);
    inside(0.85, 500, 1000);
    inside(0.95, 1000, 3000);
    // The 1 s RED rows and live seconds count each second's points exactly.
    expect(set.redServices[0]!.map((r) => r.count)).toEqual([10, 6, 3, 4]);
    expect(seconds.get(t + 1_000)?.get('svc')?.sketch.count).toBe(6);
  });

  it('spreads each series by its own extremes in a service row: live seconds agree with the stored rows', () => {
    // The SDK's 60 s histogram cut per second: /pay 10 a second from 1 to 200 ms, /refund 2 a second at
    // exactly 300 ms. /refund's min and max say every one of its requests took 300 ms: merged with /pay's
    // counts first, the service's bucket (250, 500] spread them over 250 - 300 ms, and the live p99 read
    // ~286 ms where the stored 10 s rows (spread per series) read 300.
    const t = 1_800_000_000_000;
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    const point = (time: number, counts: number[], min: number, max: number, sum: number) =>
      explicitPoint({ time, bounds, counts, min, max, sum, exact: false });
    const inputs = [
      {
        record: record(1, { isError: false, route: '/pay' }),
        timestamps: [],
        values: [],
        explicit: [0, 1, 2].map((s) => point(t + s * 1000, [1, 0, 1, 1, 2, 5, 0, 0, 0], 0.001, 0.2, 1.1)),
      },
      {
        record: record(2, { isError: false, route: '/refund' }),
        timestamps: [],
        values: [],
        explicit: [0, 1, 2].map((s) => point(t + s * 1000, [0, 0, 0, 0, 0, 0, 2, 0, 0], 0.3, 0.3, 0.6)),
      },
    ];
    const { rows, seconds } = fold(inputs);
    const p99 = (sketch: { quantile(q: number): number | null }) => sketch.quantile(0.99)!;
    for (let s = 0; s < 3; s++) {
      const live = seconds.get(t + s * 1000)!.get('svc')!.sketch;
      expect(live.count).toBe(12);
      expect(p99(live)).toBeCloseTo(300, 0);
    }
    const tenSeconds = tables(rows).redServices[1]!;
    expect(tenSeconds).toHaveLength(1);
    expect(p99(decodeSketch(tenSeconds[0]!.sketch))).toBeCloseTo(300, 0);
  });
});

/** An explicit-bucket point in seconds (stored as ms), its count the sum of its bucket counts. */
function explicitPoint(p: Omit<ExplicitPoint, 'scale' | 'count'>): ExplicitPoint {
  return { ...p, scale: 1000, count: p.counts.reduce((a, b) => a + b, 0) };
}

function record(id: number, { isError, route = '/a' }: { isError: boolean; route?: string }): SeriesRecord {
  return {
    id,
    key: String(id),
    service: 'svc',
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 'ms',
    red: true,
    route,
    isError,
    instance: null,
  };
}

/** The rows per table and tier, as objects. */
function tables(rows: Rows) {
  const samples: SampleBucket[][] = rows.samples.map(() => []);
  const redServices: RedBucket[][] = rows.red.map(() => []);
  const redRoutes: RedBucket[][] = rows.red.map(() => []);
  forEachSample(rows, (tier, seriesId, t, count, sum, min, max, last, lastT, sketch) => {
    samples[tier]!.push({ seriesId, t, count, sum, min, max, last, lastT, sketch });
  });
  forEachRed(rows, (tier, service, route, t, count, errors, sketch) => {
    if (route === undefined) redServices[tier]!.push({ service, t, count, errors, sketch });
    else redRoutes[tier]!.push({ service, route, t, count, errors, sketch });
  });
  return { samples, redServices, redRoutes };
}
