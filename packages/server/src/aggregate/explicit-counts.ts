import type { BucketStats, ExplicitPoint } from '../model.ts';
import { explicitObservations, type Observations } from '../sketch/bucket-values.ts';
import { binOf, type Sketch } from '../sketch/sketch.ts';

/**
 * Explicit-bucket histogram points summed per bounds layout and unit. An OTLP histogram point stands for
 * up to ~50 representative values (bucket-values.ts); spreading every point into every sketch it feeds was
 * most of the OTLP fold's work. Counts of one layout add up exactly, so a bucket row sums its points' counts
 * (one addition per bucket) and spreads the total into its sketch once, when the row is read.
 */
export interface LayoutCounts {
  bounds: readonly number[];
  scale: number;
  counts: number[];
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  exact: boolean;
  /**
   * Per bucket, where its values lie as far as its points' extremes say ([low, high] pairs, in the points'
   * unit; an empty bucket's is [+Infinity, -Infinity]): a point's min or max narrows the bucket it falls in.
   * Kept per bucket because a row sums several series' points: by the row's extremes alone, a route whose
   * every request took 300 ms was spread over 250 - 300 ms in its service's bucket (250, 500], and the live
   * p99 read ~273 ms where the stored 10 s rows (spread per series) read 300.
   */
  ranges: number[];
}

/** Adds a point (or another row's counts) to the counts of its layout in `layouts`. */
export function addExplicit(layouts: LayoutCounts[], p: ExplicitPoint): void {
  let into: LayoutCounts | undefined;
  for (const layout of layouts) {
    if (layout.scale === p.scale && sameBounds(layout.bounds, p.bounds)) {
      into = layout;
      break;
    }
  }
  if (!into) {
    const { bounds, scale, count, sum, min, max, exact } = p;
    const ranges = new Array<number>(2 * p.counts.length);
    for (let i = 0; i < p.counts.length; i++) setRange(ranges, i, p);
    layouts.push({ bounds, scale, counts: Array.from(p.counts), count, sum, min, max, exact, ranges });
    return;
  }
  const { counts, ranges } = into;
  for (let i = 0; i < counts.length; i++) {
    if (p.counts[i] === 0) continue;
    counts[i]! += p.counts[i]!;
    const low = ranges[2 * i]!;
    const high = ranges[2 * i + 1]!;
    setRange(ranges, i, p);
    if (low < ranges[2 * i]!) ranges[2 * i] = low;
    if (high > ranges[2 * i + 1]!) ranges[2 * i + 1] = high;
  }
  into.count += p.count;
  // An unknown sum or extreme in any point leaves the total unknown (the spread then estimates it).
  into.sum = into.sum === null || p.sum === null ? null : into.sum + p.sum;
  into.min = into.min === null || p.min === null ? null : Math.min(into.min, p.min);
  into.max = into.max === null || p.max === null ? null : Math.max(into.max, p.max);
  into.exact &&= p.exact;
}

/** Bucket i's range by point `p` alone: its bounds, narrowed by p's min and max when they fall inside. */
function setRange(ranges: number[], i: number, p: ExplicitPoint): void {
  if (p.counts[i] === 0) {
    ranges[2 * i] = Number.POSITIVE_INFINITY;
    ranges[2 * i + 1] = Number.NEGATIVE_INFINITY;
    return;
  }
  const lo = i === 0 ? Number.NEGATIVE_INFINITY : p.bounds[i - 1]!;
  const hi = i === p.bounds.length ? Number.POSITIVE_INFINITY : p.bounds[i]!;
  ranges[2 * i] = p.min !== null && p.min > lo && p.min <= hi ? p.min : lo;
  ranges[2 * i + 1] = p.max !== null && p.max > lo && p.max <= hi ? p.max : hi;
}

/** Equal bucket bounds (identical arrays are the common case: a request's equal bounds share one). */
export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Spreads every layout's counts into `sketch`, and their sum and extremes into `stats` when given (its
 * count already holds them: counts are known exactly as points arrive).
 */
export function spreadInto(
  layouts: readonly LayoutCounts[],
  sketch: Sketch,
  stats?: Pick<BucketStats, 'sum' | 'min' | 'max'>,
): void {
  const observations: Observations = { values: [], weights: [] };
  const bins: number[] = [];
  for (const layout of layouts) {
    const n = explicitObservations(layout, layout.scale, layout.exact, observations);
    const { values, weights } = observations;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const value = values[i]!;
      const bin = binOf(value);
      bins[i] = bin;
      if (value > 0 && bin < lo) lo = bin;
      if (value > 0 && bin > hi) hi = bin;
    }
    sketch.reservePositive(lo, hi);
    for (let i = 0; i < n; i++) {
      const value = values[i]!;
      const weight = weights[i]!;
      sketch.addBinned(value, bins[i]!, weight);
      if (!stats) continue;
      stats.sum += value * weight;
      if (value < stats.min) stats.min = value;
      if (value > stats.max) stats.max = value;
    }
  }
}
