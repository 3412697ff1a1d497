import { readScratch, readSketch, scratch, VERSION, WHOLE_COUNTS, type Writer, zigzag } from './codec.ts';
import { quantilesOf, type SparseBins } from './sketch.ts';

/**
 * Stored sketches merged as encoded bytes, without building `Sketch`es (their dense bin arrays grow and are
 * copied as spans widen): the SQLite upsert's `sketch_merge`, and the percentiles of an output bucket that
 * takes several stored rows. Both give exactly what decoding into one sketch gives: counts are added in the
 * same order.
 */

/** Scratch for the sketches read (everything here is synchronous). */
const first = readScratch();
const second = readScratch();
const spare = readScratch();

/**
 * Merges two encoded sketches; the SQLite store registers this as a SQL function for additive upserts.
 * The bytes are those of `encodeSketch(decodeSketch(b, decodeSketch(a)))`, written by a merge of the two
 * sorted bin lists without building sketches: it runs for every upsert that finds its row.
 */
export function mergeEncoded(a: Uint8Array | null, b: Uint8Array | null): Buffer | null {
  if (!a) return b ? Buffer.from(b) : null;
  if (!b) return Buffer.from(a);
  const x = readSketch(a, first);
  const y = readSketch(b, second);
  const zeroCount = x.zeroCount + y.zeroCount;
  const whole = Number.isInteger(zeroCount) && x.wholeBins && y.wholeBins;
  // As a sketch decoded into keeps them: NaN never replaces the starting infinity.
  let min = Number.POSITIVE_INFINITY;
  if (x.min < min) min = x.min;
  if (y.min < min) min = y.min;
  let max = Number.NEGATIVE_INFINITY;
  if (x.max > max) max = x.max;
  if (y.max > max) max = y.max;
  const w = scratch;
  w.reserve(2 + 4 * 8 + 2 * 10 + (x.positive.n + y.positive.n + x.negative.n + y.negative.n) * 20);
  w.u8(VERSION);
  w.u8(whole ? WHOLE_COUNTS : 0);
  w.f64(zeroCount);
  w.f64(x.sum + y.sum);
  w.f64(min);
  w.f64(max);
  writeMergedBins(w, x.positive, y.positive, whole);
  writeMergedBins(w, x.negative, y.negative, whole);
  return w.take();
}

/** Bins present in either side: a merge of two ascending index lists. */
function unionSize(x: SparseBins, y: SparseBins): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < x.n && j < y.n) {
    const d = x.indexes[i]! - y.indexes[j]!;
    if (d <= 0) i++;
    if (d >= 0) j++;
    n++;
  }
  return n + (x.n - i) + (y.n - j);
}

/** `writeBins` of the two sides added bin by bin. */
function writeMergedBins(w: Writer, x: SparseBins, y: SparseBins, whole: boolean): void {
  w.varint(unionSize(x, y));
  let i = 0;
  let j = 0;
  let previous = Number.NaN;
  while (i < x.n || j < y.n) {
    const xi = i < x.n ? x.indexes[i]! : Number.POSITIVE_INFINITY;
    const yj = j < y.n ? y.indexes[j]! : Number.POSITIVE_INFINITY;
    let index: number;
    let count: number;
    if (xi < yj) {
      index = xi;
      count = x.counts[i++]!;
    } else if (yj < xi) {
      index = yj;
      count = y.counts[j++]!;
    } else {
      index = xi;
      count = x.counts[i++]! + y.counts[j++]!;
    }
    w.varint(Number.isNaN(previous) ? zigzag(index) : index - previous);
    previous = index;
    if (whole) w.varint(count);
    else w.f64(count);
  }
}

/**
 * The values at quantiles `qs` of the encoded sketches merged (in order), into `out`: what
 * `decodeSketch`-ing each into one new sketch and asking it would give, without the sketch.
 */
export function mergedQuantiles(encoded: readonly Uint8Array[], qs: readonly number[], out: (number | null)[]): void {
  let acc = readSketch(encoded[0]!, first);
  // As decoding into a new sketch keeps them: its extremes start infinite and NaN never replaces them.
  const { min, max } = acc;
  acc.min = Number.POSITIVE_INFINITY;
  acc.max = Number.NEGATIVE_INFINITY;
  if (min < acc.min) acc.min = min;
  if (max > acc.max) acc.max = max;
  let into = spare;
  for (let k = 1; k < encoded.length; k++) {
    const row = readSketch(encoded[k]!, second);
    mergeSparse(acc.positive, row.positive, into.positive);
    mergeSparse(acc.negative, row.negative, into.negative);
    into.zeroCount = acc.zeroCount + row.zeroCount;
    into.count = acc.count + row.count;
    into.min = acc.min;
    into.max = acc.max;
    if (row.min < into.min) into.min = row.min;
    if (row.max > into.max) into.max = row.max;
    const merged = into;
    into = acc;
    acc = merged;
  }
  quantilesOf(acc, qs, out);
}

/** `x` and `y` added bin by bin into `into` (its arrays reused). */
function mergeSparse(x: SparseBins, y: SparseBins, into: SparseBins): void {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < x.n || j < y.n) {
    const xi = i < x.n ? x.indexes[i]! : Number.POSITIVE_INFINITY;
    const yj = j < y.n ? y.indexes[j]! : Number.POSITIVE_INFINITY;
    if (xi < yj) {
      into.indexes[n] = xi;
      into.counts[n++] = x.counts[i++]!;
    } else if (yj < xi) {
      into.indexes[n] = yj;
      into.counts[n++] = y.counts[j++]!;
    } else {
      into.indexes[n] = xi;
      into.counts[n++] = x.counts[i++]! + y.counts[j++]!;
    }
  }
  into.n = n;
}
