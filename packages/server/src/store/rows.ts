import type { BucketStats } from '../model.ts';

/**
 * The one shape in which bucket rows reach the store, from every producer (decode workers, the main
 * thread, the demo backfill): per tier, a column block of numbers plus the rows' sketches in one byte
 * array. A folded request crosses from a worker as a handful of typed arrays (moved, not copied), the
 * store reads rows as positional arguments, and a database driver can bind a column as one array
 * parameter, instead of tens of thousands of row objects a second.
 */

/** Numbers per sample row: series, t, count, sum, min, max, last, lastT. */
export const SAMPLE_WIDTH = 8;
/** Numbers per RED row: service, route, t, count, errors (service and route index `Rows.strings`). */
export const RED_WIDTH = 5;
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
 * indexes into its request's series; `withSeriesIds` gives the copy the store takes.
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

/** Every row's tier and bucket start, samples then RED, without reading the rest of the row. */
export function forEachBucketStart(rows: Rows, sink: (tier: number, t: number) => void): void {
  rows.samples.forEach(({ columns }, tier) => {
    for (let o = 1; o < columns.length; o += SAMPLE_WIDTH) sink(tier, columns[o]!);
  });
  rows.red.forEach(({ columns }, tier) => {
    for (let o = 2; o < columns.length; o += RED_WIDTH) sink(tier, columns[o]!);
  });
}

/**
 * The rows with each sample row's series index (into `ids`) replaced by the id at that index. The numbers are
 * copied (sketches and RED rows are shared): a commit that fails is tried again without some of its requests,
 * and the ids are read again then (a provisional id may have been renumbered meanwhile).
 */
export function withSeriesIds(rows: Rows, ids: readonly number[]): Rows {
  const samples = rows.samples.map((block) => {
    const columns = block.columns.slice();
    for (let o = 0; o < columns.length; o += SAMPLE_WIDTH) columns[o] = ids[columns[o]!]!;
    return { ...block, columns };
  });
  return { ...rows, samples };
}

/** Rows in every block, samples and RED, of every tier. */
export function rowCount(rows: Rows): number {
  let n = 0;
  for (const block of rows.samples) n += block.sketchEnds.length;
  for (const block of rows.red) n += block.sketchEnds.length;
  return n;
}

/**
 * `rows` cut into parts of at most `max` rows each, in order (samples by tier, then RED by tier); each part
 * shares the strings and views the same arrays (no copy but each part's sketch ends). Why: a journal entry
 * is written to the tables by one transaction, and a big commit's must not stall the event loop in one.
 */
export function sliceRows(rows: Rows, max: number): Rows[] {
  if (rowCount(rows) <= max) return [rows];
  const parts: Rows[] = [];
  let part: Rows | null = null;
  let room = 0;
  const cut = (blocks: readonly PackedRows[], kind: 'samples' | 'red', width: number) => {
    blocks.forEach((block, tier) => {
      for (let from = 0; from < block.sketchEnds.length; ) {
        if (!part || room === 0) {
          part = emptyRows(rows);
          parts.push(part);
          room = max;
        }
        const to = Math.min(block.sketchEnds.length, from + room);
        part[kind][tier] = rowRange(block, width, from, to);
        room -= to - from;
        from = to;
      }
    });
  };
  cut(rows.samples, 'samples', SAMPLE_WIDTH);
  cut(rows.red, 'red', RED_WIDTH);
  return parts;
}

function emptyRows(like: Rows): Rows {
  const none = (): PackedRows => ({
    columns: new Float64Array(0),
    sketchEnds: new Uint32Array(0),
    sketches: new Uint8Array(0),
  });
  return { samples: like.samples.map(none), red: like.red.map(none), strings: like.strings };
}

/** Rows [from, to) of a block, viewing its arrays; the sketch ends are renumbered from the first row's. */
function rowRange(block: PackedRows, width: number, from: number, to: number): PackedRows {
  const base = from === 0 ? 0 : block.sketchEnds[from - 1]!;
  const end = to === 0 ? 0 : block.sketchEnds[to - 1]!;
  return {
    columns: block.columns.subarray(from * width, to * width),
    sketchEnds: block.sketchEnds.slice(from, to).map((e) => e - base),
    sketches: block.sketches.subarray(base, end),
  };
}

const EMPTY = Buffer.alloc(0);

/** A view of row i's sketch bytes (no copy), or null. */
export function sketchOf(rows: PackedRows, i: number): Buffer | null {
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
    this.sampleBlocks = Array.from({ length: tiers }, () => new BlockBuilder());
    this.redBlocks = Array.from({ length: tiers }, () => new BlockBuilder());
  }

  sample(tier: number, seriesId: number, t: number, s: BucketStats, sketch: Uint8Array | null): void {
    this.sampleBlocks[tier]!.add(sketch).push(seriesId, t, s.count, s.sum, s.min, s.max, s.last, s.lastT);
  }

  /** A RED row; `route` undefined is the service's row over all routes, null requests without a route. */
  red(...[tier, service, route, t, count, errors, sketch]: Parameters<RedRowSink>): void {
    const r = route === undefined ? SERVICE_ROW : this.intern(route ?? '');
    this.redBlocks[tier]!.add(sketch).push(this.intern(service), r, t, count, errors);
  }

  finish(): Rows {
    const samples = this.sampleBlocks.map((b) => b.finish());
    return { samples, red: this.redBlocks.map((b) => b.finish()), strings: this.strings };
  }

  private intern(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) this.index.set(s, (i = this.strings.push(s) - 1));
    return i;
  }
}

/** One table and tier's rows while they are being collected. */
export class BlockBuilder {
  private readonly numbers: number[] = [];
  private readonly ends: number[] = [];
  private readonly sketches: Uint8Array[] = [];
  private bytes = 0;

  /** Starts a row with this sketch; its numbers go into the array returned. */
  add(sketch: Uint8Array | null): number[] {
    if (sketch && sketch.length > 0) {
      this.sketches.push(sketch);
      this.bytes += sketch.length;
    }
    this.ends.push(this.bytes);
    return this.numbers;
  }

  finish(): PackedRows {
    // Not Buffer.concat: a small result comes from Node's shared pool, whose whole buffer a transfer would move.
    const sketches = new Uint8Array(this.bytes);
    let at = 0;
    for (const s of this.sketches) {
      sketches.set(s, at);
      at += s.length;
    }
    return { columns: Float64Array.from(this.numbers), sketchEnds: Uint32Array.from(this.ends), sketches };
  }
}
