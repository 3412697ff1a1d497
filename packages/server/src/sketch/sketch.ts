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
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values this close to zero count as zero (latencies below a nanosecond in ms). */
const MIN_INDEXABLE = 1e-9;

/** Dense bucket counts from `offset` upward; grows in either direction as values arrive. */
class Store {
  counts = new Float64Array(0);
  offset = 0;
  total = 0;

  add(index: number, count: number): void {
    this.ensure(index);
    this.counts[index - this.offset]! += count;
    this.total += count;
  }

  private ensure(index: number): void {
    const { counts, offset } = this;
    if (counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = index - 32;
      return;
    }
    if (index >= offset && index < offset + counts.length) return;
    const low = Math.min(offset, index);
    const high = Math.max(offset + counts.length, index + 1);
    const span = high - low;
    // Grow with slack on the side that overflowed so a drifting distribution does not reallocate each time.
    const size = Math.max(span + 32, counts.length * 2);
    const newOffset = index < offset ? high - size : low;
    const grown = new Float64Array(size);
    grown.set(counts, offset - newOffset);
    this.counts = grown;
    this.offset = newOffset;
  }

  *bins(): Generator<[number, number]> {
    const { counts, offset } = this;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i]!;
      if (count !== 0) yield [i + offset, count];
    }
  }
}

export class Sketch {
  private readonly positive = new Store();
  private readonly negative = new Store();
  zeroCount = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** Records `value` `count` times (count may be fractional when a coarser histogram is spread out). */
  add(value: number, count = 1): void {
    if (value > MIN_INDEXABLE) this.positive.add(Math.ceil(Math.log(value) / LOG_GAMMA), count);
    else if (value < -MIN_INDEXABLE) this.negative.add(Math.ceil(Math.log(-value) / LOG_GAMMA), count);
    else this.zeroCount += count;
    this.count += count;
    this.sum += value * count;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(other: Sketch): void {
    for (const [index, count] of other.positive.bins()) this.positive.add(index, count);
    for (const [index, count] of other.negative.bins()) this.negative.add(index, count);
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** The value at quantile q (0..1), or null for an empty sketch. */
  quantile(q: number): number | null {
    if (this.count <= 0) return null;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let seen = 0;
    const negatives = [...this.negative.bins()].reverse();
    for (const [index, count] of negatives) {
      seen += count;
      if (seen > rank) return this.clamp(-representative(index));
    }
    seen += this.zeroCount;
    if (seen > rank) return this.clamp(0);
    for (const [index, count] of this.positive.bins()) {
      seen += count;
      if (seen > rank) return this.clamp(representative(index));
    }
    return this.max;
  }

  private clamp(value: number): number {
    return Math.min(this.max, Math.max(this.min, value));
  }

  /** The bins in index order, for encoding: [index, count] pairs of each side. */
  positiveBins(): Generator<[number, number]> {
    return this.positive.bins();
  }
  negativeBins(): Generator<[number, number]> {
    return this.negative.bins();
  }
  addBin(side: 'positive' | 'negative', index: number, count: number): void {
    (side === 'positive' ? this.positive : this.negative).add(index, count);
  }
}

function representative(index: number): number {
  return (2 * GAMMA ** index) / (GAMMA + 1);
}

/** The bucket index a positive value falls in; exposed so tests and histogram conversion agree with `add`. */
export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(value) / LOG_GAMMA);
}
