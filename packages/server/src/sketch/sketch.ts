/**
 * A mergeable log-bucket quantile sketch (DDSketch): every value v > 0 lands in bucket
 * i = ceil(log_gamma(v)), whose representative is within `RELATIVE_ACCURACY` of every value in it, so
 * any quantile read back is within that relative error of an exact one. Sketches of the same gamma merge
 * by adding bucket counts, which is what lets percentiles combine across series, time buckets and tiers.
 *
 * Written here rather than taken from @datadog/sketches-js because the store needs a compact binary form
 * that a SQLite function can merge in place; the library only serialises through protobuf.
 */

/** Below 1%, with room for floating-point rounding at bucket edges. */
export const RELATIVE_ACCURACY = 0.008;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values this close to zero count as zero (latencies below a nanosecond in ms). */
export const MIN_INDEXABLE = 1e-9;
/**
 * Larger values share the bin of this one, the ceiling bin. Stores are dense from their lowest bin to their
 * highest, so without a ceiling one sketch holding 1e-9 and 1e300 spanned ~44,000 bins (350 KB), and a
 * request of such sketches could exhaust the heap. With it a side spans at most ~3,900 bins (31 KB), about
 * DDSketch's usual 2,048-bin limit. The ceiling bin's values can be anything from 1e18 to the exact
 * extreme, so a quantile landing in it reads as that extreme (max, or min on the negative side): reading
 * the bin's ~1e18 would put every quantile of a sketch holding only such values below its minimum.
 */
const MAX_INDEXABLE = 1e18;
const CEILING_BIN = Math.ceil(Math.log(MAX_INDEXABLE) / LOG_GAMMA);

/** One side's bins, read-only: count of bin i is counts[i - offset], non-empty bins lie within lo..hi. */
export interface Bins {
  readonly counts: readonly number[];
  readonly offset: number;
  readonly lo: number;
  readonly hi: number;
  /** Non-empty bins, and whether every count is a whole number: what encoding needs to know up front. */
  readonly size: number;
  readonly whole: boolean;
}

/** Dense bucket counts from `offset` upward; grows in either direction as values arrive. */
class Store implements Bins {
  // A plain array: V8 allocates small ones far faster than typed arrays, and a sketch is created per
  // series per bucket, millions of times in a backfill.
  counts: number[] = [];
  offset = 0;
  /** Lowest and highest index holding a count; iteration stays inside them. */
  lo = Number.POSITIVE_INFINITY;
  hi = Number.NEGATIVE_INFINITY;
  size = 0;
  whole = true;

  add(index: number, count: number): void {
    if (index < this.offset || index >= this.offset + this.counts.length) this.grow(index);
    this.addAt(index - this.offset, count);
    if (index < this.lo) this.lo = index;
    if (index > this.hi) this.hi = index;
  }

  /** Adds to slot i of `counts`, keeping `size` and `whole` (counts are never negative). */
  private addAt(i: number, count: number): void {
    const before = this.counts[i]!;
    this.counts[i] = before + count;
    if (before === 0 && count !== 0) this.size++;
    if (this.whole && !Number.isInteger(count)) this.whole = false;
  }

  /** Makes room for indexes lo..hi at once (a merge knows the whole span up front). */
  reserve(lo: number, hi: number): void {
    if (lo > hi) return;
    if (lo < this.offset || hi >= this.offset + this.counts.length) this.grow(lo, hi);
  }

  private grow(lo: number, hi = lo): void {
    const { counts, offset } = this;
    if (counts.length === 0) {
      const size = hi - lo + 16;
      this.counts = new Array<number>(size).fill(0);
      this.offset = lo - 8;
      return;
    }
    const low = Math.min(offset, lo);
    const high = Math.max(offset + counts.length, hi + 1);
    // Grow with slack on the side that overflowed so a drifting distribution does not reallocate each time.
    const size = Math.max(high - low + 16, counts.length * 2);
    const newOffset = lo < offset ? high - size : low;
    const grown = new Array<number>(size).fill(0);
    const shift = offset - newOffset;
    for (let i = 0; i < counts.length; i++) grown[i + shift] = counts[i]!;
    this.counts = grown;
    this.offset = newOffset;
  }

  /**
   * Adds bins indexes[i] (ascending) with counts[i] for i < n: a stored sketch decoded into this one, once per
   * row a rollup rebuild or a view reads. One reservation, then a loop over the two arrays.
   */
  addSorted(indexes: readonly number[], counts: readonly number[], n: number): void {
    if (n === 0) return;
    const lo = indexes[0]!;
    const hi = indexes[n - 1]!;
    this.reserve(lo, hi);
    const into = this.counts;
    const shift = this.offset;
    let size = this.size;
    let whole = this.whole;
    for (let i = 0; i < n; i++) {
      const slot = indexes[i]! - shift;
      const count = counts[i]!;
      const before = into[slot]!;
      into[slot] = before + count;
      if (before === 0 && count !== 0) size++;
      if (whole && !Number.isInteger(count)) whole = false;
    }
    this.size = size;
    this.whole = whole;
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
  }

  /** Adds every bin of `other`, times `weight` (a loop over two arrays: merges run for every rollup row). */
  addStore(other: Store, weight = 1): void {
    if (other.lo > other.hi) return;
    this.reserve(other.lo, other.hi);
    const from = other.counts;
    const shift = this.offset;
    for (let i = other.lo; i <= other.hi; i++) {
      const count = from[i - other.offset]!;
      if (count !== 0) this.addAt(i - shift, count * weight);
    }
    if (other.lo < this.lo) this.lo = other.lo;
    if (other.hi > this.hi) this.hi = other.hi;
  }
}

export class Sketch {
  private readonly positive = new Store();
  /** Latencies are never negative: the negative side is only allocated when a value needs it. */
  private negativeStore: Store | null = null;
  private get negative(): Store {
    this.negativeStore ??= new Store();
    return this.negativeStore;
  }
  zeroCount = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Records `value` `count` times (count may be fractional when a coarser histogram is spread out). */
  add(value: number, count = 1): void {
    this.addBinned(value, binOf(value), count);
  }

  /** `add` with `bin = binOf(value)` already known: a value folded into several sketches takes one log. */
  addBinned(value: number, bin: number, count: number): void {
    if (value > MIN_INDEXABLE) this.positive.add(bin, count);
    else if (value < -MIN_INDEXABLE) this.negative.add(bin, count);
    else this.zeroCount += count;
    this.count += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /**
   * Adds `other`'s values, each counted `weight` times: a weight below 1 mixes in a sketch that covers a
   * longer time than the others at its share per second (see live/total.ts).
   */
  merge(other: Sketch, weight = 1): void {
    this.positive.addStore(other.positive, weight);
    if (other.negativeStore) this.negative.addStore(other.negativeStore, weight);
    this.zeroCount += other.zeroCount * weight;
    this.count += other.count * weight;
    this.sum += other.sum * weight;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at quantile q (0..1), or null for an empty sketch. */
  quantile(q: number): number | null {
    const out = [null] as (number | null)[];
    this.quantiles([q], out);
    return out[0]!;
  }

  /** The values at quantiles `qs` (ascending, 0..1) into `out`, null for an empty sketch: one walk for all. */
  quantiles(qs: readonly number[], out: (number | null)[]): void {
    const walk = walkScratch;
    gather(this.positive, walk.positive);
    if (this.negativeStore) gather(this.negativeStore, walk.negative);
    else walk.negative.n = 0;
    walk.count = this.count;
    walk.zeroCount = this.zeroCount;
    walk.min = this.min;
    walk.max = this.max;
    quantilesOf(walk, qs, out);
  }

  /** One side's bins, for encoding; null for a negative side never used. */
  bins(side: 'positive' | 'negative'): Bins | null {
    return side === 'positive' ? this.positive : this.negativeStore;
  }
  /**
   * Makes room for positive bins lo..hi at once, for a caller that knows its values' span up front: a
   * store grown bin by bin reallocates and copies ~5 times across a latency distribution's ~300 bins.
   */
  reservePositive(lo: number, hi: number): void {
    this.positive.reserve(lo, hi);
  }
  /** Adds bins indexes[i] (ascending) with counts[i] for i < n to one side: decoding a stored sketch. */
  addBins(side: 'positive' | 'negative', indexes: readonly number[], counts: readonly number[], n: number): void {
    if (n === 0) return;
    (side === 'positive' ? this.positive : this.negative).addSorted(indexes, counts, n);
  }
}

/** One side's non-empty bins, ascending by index, in the first `n` slots: what a quantile walk reads. */
export interface SparseBins {
  indexes: number[];
  counts: number[];
  n: number;
}

/** A sketch as a quantile walk reads it (a `Sketch`, or a stored one read without building it). */
export interface QuantileInput {
  count: number;
  zeroCount: number;
  min: number;
  max: number;
  positive: SparseBins;
  negative: SparseBins;
}

const sparse = (): SparseBins => ({ indexes: [], counts: [], n: 0 });
/** `Sketch.quantiles`' bins, gathered for the walk (scratch: the walk is synchronous). */
const walkScratch: QuantileInput = { count: 0, zeroCount: 0, min: 0, max: 0, positive: sparse(), negative: sparse() };

/** A dense store's non-empty bins into `into`. */
function gather(store: Store, into: SparseBins): void {
  const { counts, offset } = store;
  let n = 0;
  for (let i = store.lo; i <= store.hi; i++) {
    const count = counts[i - offset]!;
    if (count === 0) continue;
    into.indexes[n] = i;
    into.counts[n++] = count;
  }
  into.n = n;
}

/** The cumulative count quantile q must pass: none for q >= 1, which reads as the maximum. */
const rankOf = (q: number, last: number) => (q >= 1 ? Number.POSITIVE_INFINITY : q * last);
const clamp = (value: number, s: QuantileInput) => Math.min(s.max, Math.max(s.min, value));

/**
 * The values at quantiles `qs` (ascending, 0..1) into `out`, null when the count is not positive. Each is the
 * first value, walking upward (negative bins from the highest index, the zeros, positive bins from the
 * lowest), whose cumulative count passes q x (count - 1); q >= 1, or a rank no count passes, reads as the
 * maximum. Values are clamped to [min, max]; the ceiling bin reads as the exact extreme on its side.
 */
export function quantilesOf(s: QuantileInput, qs: readonly number[], out: (number | null)[]): void {
  const n = qs.length;
  let k = 0;
  if (s.count <= 0) {
    for (; k < n; k++) out[k] = null;
    return;
  }
  const last = s.count - 1;
  let rank = n > 0 ? rankOf(qs[0]!, last) : Number.POSITIVE_INFINITY;
  let seen = 0;
  const { negative, positive } = s;
  for (let b = negative.n - 1; b >= 0 && k < n; b--) {
    seen += negative.counts[b]!;
    const index = negative.indexes[b]!;
    while (seen > rank) {
      out[k++] = index === CEILING_BIN ? s.min : clamp(-representative(index), s);
      rank = k < n ? rankOf(qs[k]!, last) : Number.POSITIVE_INFINITY;
    }
  }
  seen += s.zeroCount;
  while (seen > rank) {
    out[k++] = clamp(0, s);
    rank = k < n ? rankOf(qs[k]!, last) : Number.POSITIVE_INFINITY;
  }
  for (let b = 0; b < positive.n && k < n; b++) {
    seen += positive.counts[b]!;
    const index = positive.indexes[b]!;
    while (seen > rank) {
      out[k++] = index === CEILING_BIN ? s.max : clamp(representative(index), s);
      rank = k < n ? rankOf(qs[k]!, last) : Number.POSITIVE_INFINITY;
    }
  }
  while (k < n) out[k++] = s.max;
}

/** Bins from the lowest a value above MIN_INDEXABLE can take to the ceiling bin. */
const LOWEST_BIN = Math.floor(Math.log(MIN_INDEXABLE) / LOG_GAMMA);
/**
 * Each bin's representative once computed (NaN until then): a RED view reads three percentiles from each
 * of thousands of sketches, and the power was a third of that walk (CPU profile, 2026-12-04).
 */
const representatives = new Float64Array(CEILING_BIN - LOWEST_BIN + 1).fill(Number.NaN);

const binValue = (index: number) => (2 * GAMMA ** index) / (GAMMA + 1);

/** The value every member of bin `index` reads as (outside the ceiling bin). */
export function representative(index: number): number {
  const slot = index - LOWEST_BIN;
  if (!(slot >= 0 && slot < representatives.length)) return binValue(index);
  let value = representatives[slot]!;
  if (Number.isNaN(value)) representatives[slot] = value = binValue(index);
  return value;
}

/** What a sketch reports for `v` (bar the ceiling bin and the clamp to min/max). */
export function reportedValue(v: number): number {
  if (v > MIN_INDEXABLE) return representative(binOf(v));
  if (v < -MIN_INDEXABLE) return -representative(binOf(v));
  return 0;
}

/** The bin of `value` on its side (positive or negative); 0 for values that count as zero. */
export function binOf(value: number): number {
  if (value > MIN_INDEXABLE) return Math.ceil(Math.log(Math.min(value, MAX_INDEXABLE)) / LOG_GAMMA);
  if (value < -MIN_INDEXABLE) return Math.ceil(Math.log(Math.min(-value, MAX_INDEXABLE)) / LOG_GAMMA);
  return 0;
}
