import { describe, expect, it } from 'vitest';
import type { ExplicitPoint } from '../model.ts';
import {
  explicitPieces,
  pieceCount,
  spreadCounts,
  spreadIncrease,
  spreadLater,
  spreadLimit,
  spreadPoint,
} from './spread.ts';

describe('spreadIncrease', () => {
  it("spreads a counter's increase evenly over its interval: 60 s per second, the pieces adding up to it", () => {
    const time = 1_800_000_060_000;
    const pieces = spreadIncrease(2_400, time - 60_000, time);
    expect(pieces).toHaveLength(60);
    expect(pieces.map(([t]) => t)).toEqual(Array.from({ length: 60 }, (_, i) => time - 60_000 + i * 1000));
    for (const [, v] of pieces) expect(v).toBeCloseTo(40, 9);
    // Unaligned and long spans: coarser pieces, at most 64, that still add up.
    const random = seeded(3);
    for (let run = 0; run < 200; run++) {
      const end = time + Math.floor(random() * 1e7);
      const span = 1001 + Math.floor(random() * [60_000, 86_400_000][run % 2]!);
      const value = random() * 1e6;
      const out = spreadIncrease(value, end - span, end);
      expect(out.length).toBeLessThanOrEqual(64);
      expect(out.reduce((n, [, v]) => n + v, 0)).toBeCloseTo(value, 6);
      expect(out.every(([t, v]) => t >= end - span && t < end && v >= 0)).toBe(true);
    }
  });

  it('spreads only the last 63 hours of a span that starts long ago, at their share: a start in 1970 is 64 pieces', () => {
    const time = 1_800_000_000_000;
    const window = 63 * 3_600_000;
    for (const since of [1_800_000, time - 10 * 365 * 86_400_000, time - window - 1]) {
      const out = spreadIncrease(1_000_000, since, time);
      expect(out.length).toBeLessThanOrEqual(64);
      expect(out.every(([t]) => t >= time - window && t < time)).toBe(true);
      expect(out.reduce((n, [, v]) => n + v, 0)).toBeCloseTo((1_000_000 * window) / (time - since), 6);
    }
    // The steady rate of the span, not its whole increase squeezed into the window.
    const [, hour] = spreadIncrease(8_760, time - 365 * 86_400_000, time)[1]!;
    expect(hour).toBeCloseTo(1, 9);
  });

  it("keeps of a cumulative series' first point over more than 6 minutes only its newest 10 s' share", () => {
    const time = 1_800_000_000_000;
    const since = time - 60 * 3_600_000;
    const kept = spreadIncrease(2_160_000, since, time, spreadLimit(since, time, true));
    expect(kept.every(([t]) => t >= time - 10_000 && t < time)).toBe(true);
    expect(kept.reduce((n, [, v]) => n + v, 0)).toBeCloseTo(100, 6);
    // A new process's first export counts in full, as does every later point however long its span.
    expect(spreadIncrease(1_200, time - 120_000, time, spreadLimit(time - 120_000, time, true))).toHaveLength(12);
    expect(spreadLimit(time - 360_000, time, true)).toBe(spreadLimit(since, time, false));
    expect(spreadLimit(time - 361_000, time, true)).toBe(10_000);
    expect(spreadLimit(since, time, false)).toBe(63 * 3_600_000);
  });

  it('keeps an increase whole at its time when its start is unknown or within a second', () => {
    expect(spreadIncrease(5, 0, 1_000_000)).toEqual([[1_000_000, 5]]);
    expect(spreadIncrease(5, 999_500, 1_000_000)).toEqual([[1_000_000, 5]]);
  });
});

describe('spreadPoint', () => {
  it('spreads a point evenly over its interval, keeping every bucket count exact', () => {
    const random = seeded(7);
    for (let run = 0; run < 500; run++) {
      const time = 1_800_000_000_000 + Math.floor(random() * 1e7);
      const span = 1001 + Math.floor(random() * [5_000, 60_000, 600_000, 86_400_000][run % 4]!);
      const counts = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * 500));
      const p = point(time, counts);
      const pieces = spreadPoint(p, time - span);
      expect(pieces.length).toBeLessThanOrEqual(64);
      const summed = counts.map((_, i) => pieces.reduce((n, q) => n + q.counts[i]!, 0));
      expect(summed).toEqual(counts);
      expect(pieces.reduce((n, q) => n + q.count, 0)).toBe(p.count);
      expect(pieces.reduce((n, q) => n + q.sum!, 0)).toBeCloseTo(p.sum!, 6);
      let last = time - span;
      for (const q of pieces) {
        expect(q.time).toBeGreaterThanOrEqual(last);
        expect(q.time).toBeLessThan(time);
        last = q.time;
      }
    }
  });

  it('gives each second of a 60 s interval its share of the requests', () => {
    const time = 1_800_000_000_000 + 42_300;
    // 2,400 requests over [time - 60 s, time): 40 a second, the first and last second partly covered.
    const pieces = spreadPoint(point(time, [1200, 1200]), time - 60_000);
    expect(pieces).toHaveLength(61);
    expect(pieces[0]).toMatchObject({ time: time - 60_000, count: 28 });
    for (const q of pieces.slice(1, -1)) expect(q.count).toBe(40);
    expect(pieces.at(-1)).toMatchObject({ time: Math.floor(time / 1000) * 1000, count: 12 });
  });

  it('keeps whole counts of the last 63 hours of a point that starts years ago, in at most 64 pieces', () => {
    const time = 1_800_000_000_000;
    const point: ExplicitPoint = {
      time,
      bounds: [10],
      scale: 1,
      counts: [87_600, 876],
      count: 88_476,
      sum: 88_476,
      min: 1,
      max: 20,
      exact: true,
    };
    const pieces = spreadPoint(point, time - 10 * 365 * 86_400_000);
    expect(pieces.length).toBeLessThanOrEqual(64);
    expect(pieces.every((p) => p.time >= time - 63 * 3_600_000 && Number.isInteger(p.counts[0]))).toBe(true);
    // 63 of 87,600 hours: 63 and 0.63 per bucket, give or take the rounding of one piece.
    const kept = [0, 1].map((i) => pieces.reduce((n, p) => n + p.counts[i]!, 0));
    expect(Math.abs(kept[0]! - 63)).toBeLessThanOrEqual(1);
    expect(kept[1]).toBeLessThanOrEqual(1);
  });

  it('keeps a point of a second or less, or without a start, whole at its time', () => {
    const p = point(1_800_000_000_500, [3, 4]);
    expect(spreadPoint(p, p.time - 1000)).toEqual([p]);
    expect(spreadPoint(p, 0)).toEqual([p]);
    expect(spreadPoint(p, p.time + 5)).toEqual([p]);
  });
});

describe('spreadLater', () => {
  it('keeps a point whole for the fold, which cuts it into the pieces spreadPoint cuts it into up front', () => {
    const random = seeded(11);
    const time = 1_800_000_000_000;
    for (let run = 0; run < 200; run++) {
      const counts = Array.from({ length: 4 }, () => Math.floor(random() * [3, 50, 5_000][run % 3]!));
      const count = counts.reduce((n, c) => n + c, 0);
      const p = { time, bounds: [5, 25, 100], counts, scale: 1, count, sum: count * 10, min: 1, max: 200, exact: true };
      const since = time - 1_001 - Math.floor(random() * [60_000, 86_400_000][run % 2]!);
      const later = spreadLater(p, since);
      expect(later).toEqual([{ ...p, spreadFrom: since }]);
      const pieces = explicitPieces(later);
      expect(pieces).toEqual(spreadPoint(p, since));
      expect(pieceCount(later[0]!)).toBeGreaterThanOrEqual(pieces.length);
      // As many as the span's pieces (spreadCounts keeps the empty ones), unless the count is fewer.
      expect(pieceCount(later[0]!)).toBe(Math.max(1, Math.min(spreadCounts(counts, since, time).length, count)));
      expect(pieceCount(later[0]!)).toBeLessThanOrEqual(Math.max(1, count));
    }
  });

  it('cuts up front a point of which only the newest part is spread, and leaves others as they are', () => {
    const time = 1_800_000_000_000;
    const p = point(time, [36_000, 0]);
    const since = time - 3_600_000;
    const kept = spreadLater(p, since, spreadLimit(since, time, true));
    expect(kept.every((piece) => piece.spreadFrom === undefined && piece.time >= time - 10_000)).toBe(true);
    expect(kept.reduce((n, piece) => n + piece.count, 0)).toBe(100);
    const whole = point(time, [3, 4]);
    expect(spreadLater(whole, time - 1_000)).toEqual([whole]);
    expect(explicitPieces([whole])).toEqual([whole]);
  });
});

describe('spreadCounts', () => {
  it('spreads small counts over the span and over successive exports, not all in the middle of each', () => {
    // Each 10 s export of an error series holds 10 errors over its latency buckets (2 % of 50/s), and the
    // exports' spans start 3.4 s into a 5 s health cell: every cell should hold ~5 errors.
    const counts = [0, 1, 1, 2, 1, 1, 2, 1, 1, 0];
    const cells = new Map<number, number>();
    for (let k = 0; k < 30; k++) {
      const since = 1_800_000_003_400 + k * 10_000;
      for (const piece of spreadCounts(counts, since, since + 10_000)) {
        const cell = Math.floor(piece.at / 5000) * 5000;
        cells.set(cell, (cells.get(cell) ?? 0) + piece.counts.reduce((n, c) => n + c, 0));
      }
    }
    // Rounded alike, the cells alternated 9 and 1 (each export's errors in its middle): stripes on the heatmap.
    const inner = [...cells.values()].slice(1, -1);
    const mean = (xs: number[]) => xs.reduce((n, c) => n + c, 0) / xs.length;
    const [even, odd] = [inner.filter((_, i) => i % 2 === 0), inner.filter((_, i) => i % 2 === 1)];
    expect(mean(inner)).toBeCloseTo(5, 0);
    expect(Math.abs(mean(even) - mean(odd))).toBeLessThan(1);
    expect(Math.max(...inner) - Math.min(...inner)).toBeLessThanOrEqual(4);
  });
});

function point(time: number, counts: number[]): ExplicitPoint {
  const count = counts.reduce((n, c) => n + c, 0);
  const bounds = counts.slice(1).map((_, i) => (i + 1) * 10);
  return { time, bounds, counts, scale: 1, count, sum: count * 7, min: 1, max: 99, exact: true };
}

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
