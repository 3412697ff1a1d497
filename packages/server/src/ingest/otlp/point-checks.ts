import type { ExponentialPoint, HistogramPoint, SummaryPoint } from './model.ts';

/**
 * Checks that make a distribution point safe to turn into weighted values: a problem refuses that point
 * (partialSuccess), never the request. Each returns the reason, phrased to follow "N data points ...".
 */

const MAX_SCALE = 20;
const MIN_SCALE = -10;
/** 2^x overflows a double past this exponent. */
const MAX_EXPONENT = 1023;

const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;

export function histogramProblem(p: HistogramPoint): string | null {
  const { bounds, counts } = p;
  if (!isCount(p.count)) return 'with a count beyond 2^53';
  if (counts.length === 0 && bounds.length === 0) return null;
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
  return total === p.count ? null : 'whose count is not the sum of its bucketCounts';
}

export function exponentialProblem(p: ExponentialPoint): string | null {
  if (!Number.isInteger(p.scale) || p.scale < MIN_SCALE || p.scale > MAX_SCALE) {
    return `with a scale outside ${MIN_SCALE}..${MAX_SCALE}`;
  }
  if (!isCount(p.count) || !isCount(p.zeroCount)) return 'with a count beyond 2^53';
  let total = p.zeroCount;
  for (const side of [p.positive, p.negative]) {
    if (side.counts.length === 0) continue;
    const width = 2 ** -p.scale;
    if (Math.abs(side.offset) * width > MAX_EXPONENT || (side.offset + side.counts.length) * width > MAX_EXPONENT) {
      return 'with buckets beyond the range of a double';
    }
    for (const c of side.counts) {
      if (!isCount(c)) return 'with a bucket count beyond 2^53';
      total += c;
    }
  }
  return total === p.count ? null : 'whose count is not zeroCount plus its bucket counts';
}

export function summaryProblem(p: SummaryPoint): string | null {
  if (!isCount(p.count)) return 'with a count beyond 2^53';
  if (!Number.isFinite(p.sum) || p.sum < 0) return 'with a sum that is negative or not finite';
  for (const q of p.quantiles) {
    if (!(q.quantile >= 0 && q.quantile <= 1)) return 'with a quantile outside 0..1';
    if (!Number.isFinite(q.value)) return 'with a non-finite quantile value';
  }
  return null;
}
