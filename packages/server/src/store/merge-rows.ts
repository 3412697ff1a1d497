import { decodeSketch, encodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import { BlockBuilder, type PackedRows, RED_WIDTH, type Rows, SAMPLE_WIDTH, sketchOf } from './rows.ts';

/**
 * The rows of several requests as one `Rows`, each bucket once: rows of the same series (or service and
 * route) and bucket start combine exactly as the store's additive upsert would combine them (counts and
 * sums add, min and max, the `last` with the newest `lastT`, sketches merge), in order, so storing the
 * result leaves the same counts, extremes and percentiles as storing each request's rows in turn.
 *
 * Why: one commit carries every request queued meanwhile, and a live service's exports all land in the
 * same few buckets: a 100-span export writes ~30 rows, and each of them was upserted again (and its stored
 * sketch decoded, merged and encoded again) by every other export of that service in the commit. Here
 * each incoming sketch is decoded once and each merged one encoded once. Store-independent: the SQLite
 * and PostgreSQL appenders both receive fewer rows.
 *
 * NaN (an unknown sum, min or max) propagates as the stores' NULL does. The input rows are not changed.
 */
export function mergeRows(all: readonly Rows[]): Rows {
  if (all.length === 1) return all[0]!;
  const merger = new RowsMerger();
  for (const rows of all) merger.add(rows);
  return merger.finish();
}

/**
 * `mergeRows` one `Rows` at a time: each bucket once, however many requests' rows were added. Sketches are
 * held as received until a second row of their bucket arrives, then as one decoded Sketch, so a bucket
 * written by many requests is decoded once per request and encoded once, by `finish`.
 */
export class RowsMerger {
  private samples: BlockMerger[] = [];
  private red: BlockMerger[] = [];
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  /** Rows held: distinct buckets, in every tier. */
  get size(): number {
    let n = 0;
    for (const m of this.samples) n += m.size;
    for (const m of this.red) n += m.size;
    return n;
  }

  add(rows: Rows): void {
    while (this.samples.length < rows.samples.length) this.samples.push(new BlockMerger(SAMPLE_WIDTH, combineSample));
    while (this.red.length < rows.red.length) this.red.push(new BlockMerger(RED_WIDTH, combineRed));
    rows.samples.forEach((block, tier) => {
      this.samples[tier]!.addBlock(block, null);
    });
    // RED rows name services and routes by index into their own request's strings: renumber into ours.
    const renumbered = rows.strings.map((s) => this.intern(s));
    rows.red.forEach((block, tier) => {
      this.red[tier]!.addBlock(block, renumbered);
    });
  }

  /**
   * The merged rows. The merger is left as it was: it may be finished again or added to (the write-behind
   * keeps it when writing the rows fails).
   */
  finish(): Rows {
    return {
      samples: this.samples.map((m) => m.finish()),
      red: this.red.map((m) => m.finish()),
      strings: this.strings,
    };
  }

  private intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) this.index.set(s, (i = this.strings.push(s) - 1));
    return i;
  }
}

/** Folds row `b` (at offset `bo` of `from`) into row `a` (at offset `ao` of `into`). */
type Combine = (into: number[], ao: number, from: Float64Array, bo: number) => void;

/** Sample columns: series, t, count, sum, min, max, last, lastT (see rows.ts). */
const combineSample: Combine = (a, ao, b, bo) => {
  a[ao + 2] = a[ao + 2]! + b[bo + 2]!;
  a[ao + 3] = a[ao + 3]! + b[bo + 3]!;
  a[ao + 4] = nanMin(a[ao + 4]!, b[bo + 4]!);
  a[ao + 5] = nanMax(a[ao + 5]!, b[bo + 5]!);
  // As the upsert: the newer row's `last` wins, and on a tie the one written later.
  if (b[bo + 7]! >= a[ao + 7]!) a[ao + 6] = b[bo + 6]!;
  a[ao + 7] = nanMax(a[ao + 7]!, b[bo + 7]!);
};

/** RED columns: service, route, t, count, errors. */
const combineRed: Combine = (a, ao, b, bo) => {
  a[ao + 3] = a[ao + 3]! + b[bo + 3]!;
  a[ao + 4] = a[ao + 4]! + b[bo + 4]!;
};

// SQL's two-argument min and max are NULL when either side is; Math.min and Math.max give NaN alike.
const nanMin = Math.min;
const nanMax = Math.max;

/** One table and tier's rows while they merge: the first row of each bucket, with later ones folded in. */
class BlockMerger {
  private readonly numbers: number[] = [];
  /** Per row, its sketch: the bytes as received until a second one arrives, then the merged Sketch. */
  private readonly sketches: (Uint8Array | Sketch | null)[] = [];
  /** Row of each key: the first column (series, or service and route) then t. */
  private readonly rows = new Map<number, Map<number, number>>();

  constructor(
    private readonly width: number,
    private readonly combine: Combine,
  ) {}

  get size(): number {
    return this.sketches.length;
  }

  /** Adds a block's rows; `renumbered` maps a RED row's service and route columns into the merged strings. */
  addBlock(block: PackedRows, renumbered: readonly number[] | null): void {
    const c = renumbered ? renamed(block.columns, renumbered) : block.columns;
    const { width, numbers, sketches } = this;
    for (let i = 0, o = 0; o < c.length; i++, o += width) {
      // A sample row's key is its series; a RED row's, its service and route (route -1 is the service's row).
      const first = renumbered ? c[o]! * 2 ** 26 + c[o + 1]! + 1 : c[o]!;
      const t = c[o + (renumbered ? 2 : 1)]!;
      let byT = this.rows.get(first);
      if (!byT) this.rows.set(first, (byT = new Map()));
      const row = byT.get(t);
      const sketch = sketchOf(block, i);
      if (row === undefined) {
        byT.set(t, sketches.length);
        for (let k = 0; k < width; k++) numbers.push(c[o + k]!);
        sketches.push(sketch);
        continue;
      }
      this.combine(numbers, row * width, c, o);
      if (!sketch) continue;
      const held = sketches[row];
      if (!held) sketches[row] = sketch;
      else if (held instanceof Sketch) decodeSketch(sketch, held);
      else sketches[row] = decodeSketch(sketch, decodeSketch(held));
    }
  }

  finish(): PackedRows {
    const out = new BlockBuilder();
    const { width, numbers } = this;
    this.sketches.forEach((sketch, i) => {
      const bytes = sketch instanceof Sketch ? encodeSketch(sketch) : sketch;
      const row = out.add(bytes);
      for (let k = i * width; k < (i + 1) * width; k++) row.push(numbers[k]!);
    });
    return out.finish();
  }
}

/** A RED block's columns with service and route indexes renumbered (route -1, the service's row, kept). */
function renamed(columns: Float64Array, renumbered: readonly number[]): Float64Array {
  const out = Float64Array.from(columns);
  for (let o = 0; o < out.length; o += RED_WIDTH) {
    out[o] = renumbered[out[o]!]!;
    const route = out[o + 1]!;
    if (route >= 0) out[o + 1] = renumbered[route]!;
  }
  return out;
}
