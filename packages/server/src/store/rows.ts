/**
 * The one shape in which bucket rows reach the store, from every producer (decode workers, the main
 * thread, the demo backfill): per tier, a column block of numbers plus the rows' sketches in one byte
 * array. A folded request crosses from a worker as a handful of typed arrays (moved, not copied), the
 * store reads rows as positional arguments, and a database driver can bind a column as one array
 * parameter, instead of tens of thousands of row objects a second.
 */

/** Numbers per sample row: series, t, count, sum, min, max, last, lastT. */
const SAMPLE_WIDTH = 8;
/** Numbers per RED row: service, route, t, count, errors (service and route index `Rows.strings`). */
const RED_WIDTH = 5;
/** The route column of a service's row over all its routes (the per-service rollup). */
const SERVICE_ROW = -1;

export interface PackedRows {
  /** A fixed number of columns per row (SAMPLE_WIDTH or RED_WIDTH). */
  columns: Float64Array;
  /** End offset of each row's sketch in `sketches`; an empty range is no sketch. */
  sketchEnds: Uint32Array;
  sketches: Uint8Array;
}

/**
 * Bucket rows of every tier. Each row is an additive delta (counts and sums add, sketches merge). The
 * series column holds store series ids once the rows are handed to the store; a worker's fold holds
 * indexes into its request's series until `assignSeriesIds`.
 */
export interface Rows {
  /** Per tier, the per-series rows. */
  samples: PackedRows[];
  /** Per tier, the RED rollup rows: per service, and per service and route. */
  red: PackedRows[];
  /** Service and route names the RED rows point at. */
  strings: string[];
}

/** Receives one sample row. */
export type SampleRowSink = (
  tier: number,
  seriesId: number,
  t: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  lastT: number,
  sketch: Buffer | null,
) => void;
/** Receives one RED row; `route` is undefined for a per-service row, null for requests without a route. */
export type RedRowSink = (
  tier: number,
  service: string,
  route: string | null | undefined,
  t: number,
  count: number,
  errors: number,
  sketch: Buffer,
) => void;

export function forEachSample(rows: Rows, sink: SampleRowSink): void {
  rows.samples.forEach((block, tier) => {
    const c = block.columns;
    for (let i = 0, o = 0; o < c.length; i++, o += SAMPLE_WIDTH) {
      const sketch = sketchOf(block, i);
      sink(tier, c[o]!, c[o + 1]!, c[o + 2]!, c[o + 3]!, c[o + 4]!, c[o + 5]!, c[o + 6]!, c[o + 7]!, sketch);
    }
  });
}

export function forEachRed(rows: Rows, sink: RedRowSink): void {
  rows.red.forEach((block, tier) => {
    const c = block.columns;
    for (let i = 0, o = 0; o < c.length; i++, o += RED_WIDTH) {
      const r = c[o + 1]!;
      const route = r === SERVICE_ROW ? undefined : rows.strings[r]! === '' ? null : rows.strings[r]!;
      sink(tier, rows.strings[c[o]!]!, route, c[o + 2]!, c[o + 3]!, c[o + 4]!, sketchOf(block, i) ?? EMPTY);
    }
  });
}

/** Replaces each sample row's series index (into `ids`) by the id at that index. */
export function assignSeriesIds(rows: Rows, ids: readonly number[]): void {
  for (const { columns } of rows.samples) {
    for (let o = 0; o < columns.length; o += SAMPLE_WIDTH) columns[o] = ids[columns[o]!]!;
  }
}

const EMPTY = Buffer.alloc(0);

/** A view of row i's sketch bytes (no copy), or null. */
function sketchOf(rows: PackedRows, i: number): Buffer | null {
  const start = i === 0 ? 0 : rows.sketchEnds[i - 1]!;
  const end = rows.sketchEnds[i]!;
  return end > start ? Buffer.from(rows.sketches.buffer, rows.sketches.byteOffset + start, end - start) : null;
}

/** Collects rows of every tier, in the order added; `finish` packs them. */
export class RowsBuilder {
  private readonly sampleBlocks: BlockBuilder[];
  private readonly redBlocks: BlockBuilder[];
  private readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(tiers: number) {
    this.sampleBlocks = Array.from({ length: tiers }, () => new BlockBuilder(SAMPLE_WIDTH));
    this.redBlocks = Array.from({ length: tiers }, () => new BlockBuilder(RED_WIDTH));
  }

  sample(
    tier: number,
    seriesId: number,
    t: number,
    stats: { count: number; sum: number; min: number; max: number; last: number; lastT: number },
    sketch: Uint8Array | null,
  ): void {
    const block = this.sampleBlocks[tier]!;
    const c = block.row(sketch);
    block.columns[c] = seriesId;
    block.columns[c + 1] = t;
    block.columns[c + 2] = stats.count;
    block.columns[c + 3] = stats.sum;
    block.columns[c + 4] = stats.min;
    block.columns[c + 5] = stats.max;
    block.columns[c + 6] = stats.last;
    block.columns[c + 7] = stats.lastT;
  }

  /** A RED row; `route` undefined is the service's row over all routes, null requests without a route. */
  red(
    tier: number,
    service: string,
    route: string | null | undefined,
    t: number,
    count: number,
    errors: number,
    sketch: Uint8Array,
  ): void {
    const block = this.redBlocks[tier]!;
    const c = block.row(sketch);
    block.columns[c] = this.intern(service);
    block.columns[c + 1] = route === undefined ? SERVICE_ROW : this.intern(route ?? '');
    block.columns[c + 2] = t;
    block.columns[c + 3] = count;
    block.columns[c + 4] = errors;
  }

  finish(): Rows {
    return {
      samples: this.sampleBlocks.map((b) => b.finish()),
      red: this.redBlocks.map((b) => b.finish()),
      strings: this.strings,
    };
  }

  private intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) this.index.set(s, (i = this.strings.push(s) - 1));
    return i;
  }
}

/** One table and tier's rows, in arrays that double as they fill. */
class BlockBuilder {
  columns = new Float64Array(0);
  private ends = new Uint32Array(0);
  private readonly sketches: Uint8Array[] = [];
  private rows = 0;
  private bytes = 0;

  constructor(private readonly width: number) {}

  /** Adds a row with this sketch; returns the offset of its columns. */
  row(sketch: Uint8Array | null): number {
    if (this.rows === this.ends.length) this.grow();
    if (sketch && sketch.length > 0) {
      this.sketches.push(sketch);
      this.bytes += sketch.length;
    }
    this.ends[this.rows] = this.bytes;
    return this.rows++ * this.width;
  }

  finish(): PackedRows {
    const sketches = new Uint8Array(this.bytes);
    let at = 0;
    for (const s of this.sketches) {
      sketches.set(s, at);
      at += s.length;
    }
    return {
      columns: this.columns.slice(0, this.rows * this.width),
      sketchEnds: this.ends.slice(0, this.rows),
      sketches,
    };
  }

  private grow(): void {
    const capacity = Math.max(16, this.ends.length * 2);
    const columns = new Float64Array(capacity * this.width);
    columns.set(this.columns);
    this.columns = columns;
    const ends = new Uint32Array(capacity);
    ends.set(this.ends);
    this.ends = ends;
  }
}
