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
    layouts.push({ bounds, scale, counts: Array.from(p.counts), count, sum, min, max, exact });
    return;
  }
  const { counts } = into;
  for (let i = 0; i < counts.length; i++) counts[i]! += p.counts[i]!;
  into.count += p.count;
  // An unknown sum or extreme in any point leaves the total unknown (the spread then estimates it).
  into.sum = into.sum === null || p.sum === null ? null : into.sum + p.sum;
  into.min = into.min === null || p.min === null ? null : Math.min(into.min, p.min);
  into.max = into.max === null || p.max === null ? null : Math.max(into.max, p.max);
  into.exact &&= p.exact;
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
