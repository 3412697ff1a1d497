import { MAX_MAGNITUDE } from '../../model.ts';
import type { ExponentialPoint, HistogramPoint, SummaryPoint } from './model.ts';

/**
 * Checks that make a distribution point safe to turn into weighted values: a problem refuses that point
 * (partialSuccess), never the request. Each returns the reason, phrased to follow "N data points ...".
 * `scale` is the unit conversion the point's values get before they are stored (seconds -> ms is 1000): the
 * range checks apply to the stored values, or 1e300 s would pass and be stored as 1e303 ms.
 */

const MAX_SCALE = 20;
const MIN_SCALE = -10;
/** 2^x overflows a double past this exponent. */
const MAX_EXPONENT = 1023;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

type Summary = { count: number; sum: number | null; min: number | null; max: number | null };

/**
 * Sum, min and max are optional, but when given they must be finite and keep the point's total in range.
 * A point without observations adds no values: its min and max (some SDKs start them at +-Infinity) are
 * never read.
 */
function summaryValuesProblem(p: Summary, largest: number, scale: number): string | null {
  if (p.count === 0) return null;
  for (const v of [p.sum, p.min, p.max]) {
    if (v !== null && !Number.isFinite(v)) return 'with a sum, min or max that is not finite';
  }
  if (p.min !== null && p.max !== null && p.min > p.max) return 'whose min is above its max';
  const magnitude = Math.max(largest, Math.abs(p.min ?? 0), Math.abs(p.max ?? 0));
  if (Math.abs(p.sum ?? 0) * scale > MAX_MAGNITUDE || magnitude * scale * Math.max(p.count, 1) > MAX_MAGNITUDE) {
    return 'with values too large to add up';
  }
  return null;
}

export function histogramProblem(p: HistogramPoint, scale: number): string | null {
  const { bounds, counts } = p;
  if (!isCount(p.count)) return 'with a count beyond 2^53';
  if (counts.length === 0 && bounds.length === 0) return summaryValuesProblem(p, 0, scale);
  if (counts.length !== bounds.length + 1) return 'whose bucketCounts do not number explicitBounds + 1';
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i]!) || (i > 0 && !(bounds[i]! > bounds[i - 1]!))) {
      return 'whose explicitBounds are not finite and strictly increasing';
    }
  }
  let total = 0;
  for (const c of counts) {
    if (!isCount(c)) return 'with a bucket count beyond 2^53';
    total += c;
  }
  if (total !== p.count) return 'whose count is not the sum of its bucketCounts';
  // Bounds are increasing: the outer two are the largest in magnitude.
  return summaryValuesProblem(p, Math.max(Math.abs(bounds[0] ?? 0), Math.abs(bounds.at(-1) ?? 0)), scale);
}

export function exponentialProblem(p: ExponentialPoint, scale: number): string | null {
  if (!Number.isInteger(p.scale) || p.scale < MIN_SCALE || p.scale > MAX_SCALE) {
    return `with a scale outside ${MIN_SCALE}..${MAX_SCALE}`;
  }
  if (!isCount(p.count) || !isCount(p.zeroCount)) return 'with a count beyond 2^53';
  let total = p.zeroCount;
  let largest = 0;
  const width = 2 ** -p.scale;
  for (const side of [p.positive, p.negative]) {
    if (side.counts.length === 0) continue;
    const top = (side.offset + side.counts.length) * width;
    if (Math.abs(side.offset) * width > MAX_EXPONENT || top > MAX_EXPONENT) {
      return 'with buckets beyond the range of a double';
    }
    // The highest bucket's upper bound: the largest magnitude a value of this side can have.
    largest = Math.max(largest, 2 ** top);
    for (const c of side.counts) {
      if (!isCount(c)) return 'with a bucket count beyond 2^53';
      total += c;
    }
  }
  if (total !== p.count) return 'whose count is not zeroCount plus its bucket counts';
  return summaryValuesProblem(p, largest, scale);
}

export function summaryProblem(p: SummaryPoint, scale: number): string | null {
  if (!isCount(p.count)) return 'with a count beyond 2^53';
  if (!Number.isFinite(p.sum) || p.sum < 0 || p.sum * scale > MAX_MAGNITUDE) {
    return `with a sum that is negative, not finite or over ${MAX_MAGNITUDE}`;
  }
  for (const q of p.quantiles) {
    if (!(q.quantile >= 0 && q.quantile <= 1)) return 'with a quantile outside 0..1';
    if (!Number.isFinite(q.value) || Math.abs(q.value) * scale > MAX_MAGNITUDE) {
      return `with a quantile value that is not finite or beyond +-${MAX_MAGNITUDE}`;
    }
  }
  return null;
}
