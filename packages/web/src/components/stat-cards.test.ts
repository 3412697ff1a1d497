import { describe, expect, it } from 'vitest';
import type { TotalRow } from './charts/red-rows.ts';
import { comparable, coverage, rateOverData, splitWindows } from './stat-cards.ts';

const row = (t: number, count: number, seconds = 60): TotalRow => ({
  t,
  seconds,
  span: seconds,
  count,
  rate: count / seconds,
  errorRate: null,
  p50: null,
  p95: null,
  p99: null,
});

describe('stat-card arithmetic', () => {
  it('splits the loaded buckets into the previous and the shown window', () => {
    const rows = [row(0, 1), row(60_000, 2), row(120_000, 3), row(180_000, 4)];
    const { previous, current } = splitWindows(rows, 240_000, 120_000);
    expect(previous.map((r) => r.count)).toEqual([1, 2]);
    expect(current.map((r) => r.count)).toEqual([3, 4]);
  });

  it('leaves time without data out of the rate', () => {
    // A week of day buckets with one day of traffic at 150/s: 150/s, not 150/7.
    const week = Array.from({ length: 7 }, (_, i) => row(i * 86_400_000, i === 6 ? 150 * 86_400 : 0, 86_400));
    expect(rateOverData(week)).toBe(150);
    expect(coverage(week)).toBeCloseTo(1 / 7);
    expect(rateOverData([row(0, 0)])).toBeNull();
  });

  it('compares windows only when their data covers similar shares of them', () => {
    expect(comparable(1, 0.95)).toBe(true);
    expect(comparable(1, 0.02)).toBe(false);
    expect(comparable(0.3, 0.27)).toBe(true);
    expect(comparable(1, 0)).toBe(false);
  });
});
