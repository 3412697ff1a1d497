import { binOf, GAMMA, MIN_INDEXABLE, RELATIVE_ACCURACY, reportedValue, representative } from './sketch.ts';

/**
 * Turns an OTLP histogram point into weighted representative values, which the aggregator folds into the
 * quantile sketch like raw observations. The guarantee the dashboard relies on: every value is placed so
 * that what the sketch reports for it lies inside the OTLP bucket it came from, so a percentile read back
 * always lands in the bucket that holds the exact value. Weights are whole numbers, so counts stay exact.
 *
 * Averages come from the representative values; explicit buckets are nudged to the point's `sum` (below),
 * exponential ones keep their log-midpoints (their buckets are narrow, so the sum is close anyway).
 */
export interface Observations {
  values: number[];
  weights: number[];
}

/** At most this many values stand for one explicit bucket: enough to interpolate inside wide buckets. */
export const SPREAD = 4;

/** Comfortably more than the sketch's relative error, rounding included. */
const EDGE_MARGIN = 2 * RELATIVE_ACCURACY;

/**
 * `v` (inside (lo, hi]), moved to a neighbouring sketch bin when its own bin straddles a bucket edge and
 * would report a value outside the bucket. Buckets narrower than a bin (~1.6%) keep `v` as it is.
 */
export function placeInside(v: number, lo: number, hi: number): number {
  // The sketch reports within RELATIVE_ACCURACY of v: a value that far from both edges needs no check,
  // which spares a log and a power for most values (this runs per bucket of every histogram point).
  const margin = Math.abs(v) * EDGE_MARGIN;
  if (v - margin > lo && v + margin <= hi) return v;
  const reported = reportedValue(v);
  if (reported > lo && reported <= hi) return v;
  if (Math.abs(v) <= MIN_INDEXABLE) return v;
  const sign = v > 0 ? 1 : -1;
  const index = binOf(v);
  const below = sign * representative(index - 1);
  if (below > lo && below <= hi) return below;
  const above = sign * representative(index + 1);
  if (above > lo && above <= hi) return above;
  return v;
}

/**
 * Per value written: the range it may slide in (a, b) and its bucket (lo, hi]. Scratch space reused by
 * every call and never shrunk (setting an array's length to 0 drops its storage, and this runs per row).
 */
const ranges: number[] = [];

export interface ExplicitBuckets {
  bounds: readonly number[];
  counts: readonly number[];
  min: number | null;
  max: number | null;
  sum: number | null;
  /** Per bucket, [low, high] known to hold its values (see `LayoutCounts.ranges`); within the bounds. */
  ranges?: readonly number[];
}

/**
 * Explicit-bucket histogram -> values, written to `out.values[0..n)` and `out.weights[0..n)` (entries past
 * n are stale: the arrays are reused); returns n. `scale` converts the unit (seconds -> ms). `exact` says
 * min/max are observations of exactly these counts (a delta point, or the first of a cumulative series);
 * then one value sits on each, and the rest spread evenly through the part of each bucket between them.
 * With a `sum`, the spread values then slide within their buckets until the weighted sum matches it, so
 * `avg` comes out right wherever the buckets allow.
 */
export function explicitObservations(p: ExplicitBuckets, scale: number, exact: boolean, out: Observations): number {
  const { bounds, counts } = p;
  const min = p.min !== null && Number.isFinite(p.min) ? p.min * scale : null;
  const max = p.max !== null && Number.isFinite(p.max) ? p.max * scale : null;
  let n = 0;
  const last = counts.length - 1;
  for (let i = 0; i <= last; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    const lo = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1]! * scale;
    const hi = i === last ? Number.POSITIVE_INFINITY : bounds[i]! * scale;
    const minHere = min !== null && min > lo && min <= hi;
    const maxHere = max !== null && max > lo && max <= hi;
    let a = minHere ? min : lo;
    let b = maxHere ? max : hi;
    if (p.ranges) {
      a = Math.max(a, p.ranges[2 * i]! * scale);
      b = Math.min(b, p.ranges[2 * i + 1]! * scale);
    }
    if (a === Number.NEGATIVE_INFINITY && b === Number.POSITIVE_INFINITY) {
      // No bounds and no min/max: the mean is all there is.
      a = b = p.sum !== null && Number.isFinite(p.sum) ? (p.sum * scale) / count : 0;
    } else if (a === Number.NEGATIVE_INFINITY) {
      // Below the first bound: measurements are mostly durations and sizes, so 0 unless the bound is lower.
      a = Math.min(0, b);
    } else if (b === Number.POSITIVE_INFINITY) {
      // Past the last bound with no max: just inside the overflow bucket, as Prometheus reports its bound.
      b = a = a > 0 ? a * GAMMA * GAMMA : a + 1;
    }
    n = spread(out, n, count, a, b, exact && minHere, exact && maxHere, lo, hi);
  }
  if (p.sum !== null && Number.isFinite(p.sum)) matchSum(out, n, p.sum * scale);
  for (let i = 0; i < n; i++) out.values[i] = placeInside(out.values[i]!, ranges[i * 4 + 2]!, ranges[i * 4 + 3]!);
  return n;
}

/** Writes a bucket's values from index n; returns the new n. */
function spread(
  out: Observations,
  n: number,
  count: number,
  a: number,
  b: number,
  aObserved: boolean,
  bObserved: boolean,
  lo: number,
  hi: number,
): number {
  let at = n;
  let left = count;
  // Observed min/max are fixed points: their range is themselves.
  if (aObserved) {
    put(out, at++, a, 1, a, a, lo, hi);
    left--;
  }
  if (bObserved && left > 0 && !(aObserved && a === b)) {
    put(out, at++, b, 1, b, b, lo, hi);
    left--;
  }
  if (left === 0) return at;
  const k = Math.min(left, SPREAD);
  const each = Math.floor(left / k);
  const extra = left - each * k;
  for (let j = 0; j < k; j++) put(out, at++, a + ((b - a) * (j + 0.5)) / k, j < extra ? each + 1 : each, a, b, lo, hi);
  return at;
}

/** Writes value `at` with the range it may slide in and its bucket. */
function put(
  out: Observations,
  at: number,
  value: number,
  weight: number,
  from: number,
  to: number,
  lo: number,
  hi: number,
): void {
  out.values[at] = value;
  out.weights[at] = weight;
  ranges[at * 4] = from;
  ranges[at * 4 + 1] = to;
  ranges[at * 4 + 2] = lo;
  ranges[at * 4 + 3] = hi;
}

/** Slides every value the same fraction of the way to its range's top (or bottom) to meet `target`. */
function matchSum(out: Observations, n: number, target: number): void {
  let sum = 0;
  let room = 0;
  for (let i = 0; i < n; i++) sum += out.values[i]! * out.weights[i]!;
  const gap = target - sum;
  const up = gap > 0;
  for (let i = 0; i < n; i++) {
    const r = i * 4;
    room += (up ? ranges[r + 1]! - out.values[i]! : out.values[i]! - ranges[r]!) * out.weights[i]!;
  }
  if (room <= 0 || gap === 0) return;
  const f = Math.min(1, Math.abs(gap) / room);
  for (let i = 0; i < n; i++) {
    const r = i * 4;
    const v = out.values[i]!;
    out.values[i] = up ? v + f * (ranges[r + 1]! - v) : v - f * (v - ranges[r]!);
  }
}

function push(out: Observations, value: number, weight: number): void {
  out.values.push(value);
  out.weights.push(weight);
}

export interface ExponentialBucketsInput {
  scale: number;
  zeroCount: number;
  positive: { offset: number; counts: readonly number[] };
  negative: { offset: number; counts: readonly number[] };
  min: number | null;
  max: number | null;
}

/**
 * Exponential histogram -> one value per non-empty bucket at its log-midpoint base^(i + 1/2), clamped to
 * min/max when the bucket holds them; the zero bucket counts at 0. Works for any scale, including negative.
 */
export function exponentialObservations(p: ExponentialBucketsInput, unit: number, out: Observations): void {
  if (p.zeroCount > 0) push(out, 0, p.zeroCount);
  side(p, p.positive, 1, unit, out);
  side(p, p.negative, -1, unit, out);
}

function side(
  p: ExponentialBucketsInput,
  buckets: ExponentialBucketsInput['positive'],
  sign: 1 | -1,
  unit: number,
  out: Observations,
): void {
  const width = 2 ** -p.scale;
  const min = p.min !== null && Number.isFinite(p.min) ? p.min * unit : Number.NEGATIVE_INFINITY;
  const max = p.max !== null && Number.isFinite(p.max) ? p.max * unit : Number.POSITIVE_INFINITY;
  for (let j = 0; j < buckets.counts.length; j++) {
    const count = buckets.counts[j]!;
    if (count === 0) continue;
    const index = buckets.offset + j;
    const inner = sign * 2 ** (index * width) * unit;
    const outer = sign * 2 ** ((index + 1) * width) * unit;
    const lo = Math.min(inner, outer);
    const hi = Math.max(inner, outer);
    const mid = sign * 2 ** ((index + 0.5) * width) * unit;
    // min/max narrow the bucket that holds them; a min or max outside this bucket is someone else's.
    const clamped = Math.min(Math.max(mid, min), max);
    const v = clamped >= lo && clamped <= hi ? clamped : mid;
    push(out, placeInside(v, lo, hi), count);
  }
}
