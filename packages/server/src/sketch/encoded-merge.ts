import { type ReadSketch, readScratch, readSketch } from './codec.ts';
import { quantilesOf, type SparseBins } from './sketch.ts';

/**
 * The percentiles of an output bucket made of several stored rows, read from their encoded sketches merged
 * as sparse bin lists, without building a `Sketch` (its dense bin array grows and is copied as rows widen
 * it). They are exactly what decoding the rows into one sketch gives: counts are added in the same order.
 */

/** Scratch for the sketches read (everything here is synchronous). */
const first = readScratch();
const second = readScratch();
const spare = readScratch();

/**
 * The values at quantiles `qs` of the encoded sketches merged (in order), into `out`: what
 * `decodeSketch`-ing each into one new sketch and asking it would give, without the sketch. None: nulls.
 */
export function mergedQuantiles(encoded: readonly Uint8Array[], qs: readonly number[], out: (number | null)[]): void {
  if (encoded.length === 0) {
    for (let k = 0; k < qs.length; k++) out[k] = null;
    return;
  }
  let acc = readSketch(encoded[0]!, first);
  let into = spare;
  for (let k = 1; k < encoded.length; k++) {
    const merged = mergeRead(acc, readSketch(encoded[k]!, second), into);
    into = acc;
    acc = merged;
  }
  quantilesOf(acc, qs, out);
}

/** `x` and `y` added into `into` as decoding both into a new sketch adds them (its arrays reused). */
function mergeRead(x: ReadSketch, y: ReadSketch, into: ReadSketch): ReadSketch {
  into.zeroCount = x.zeroCount + y.zeroCount;
  into.count = x.count + y.count;
  // A new sketch's extremes start infinite, and NaN never replaces them.
  into.min = Number.POSITIVE_INFINITY;
  if (x.min < into.min) into.min = x.min;
  if (y.min < into.min) into.min = y.min;
  into.max = Number.NEGATIVE_INFINITY;
  if (x.max > into.max) into.max = x.max;
  if (y.max > into.max) into.max = y.max;
  mergeSparse(x.positive, y.positive, into.positive);
  mergeSparse(x.negative, y.negative, into.negative);
  return into;
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
