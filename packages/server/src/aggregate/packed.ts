import { countObservations, countWeighted, type SampleBatch, type SeriesIdentity, seriesKey } from '../model.ts';
import { decodeSketch, encodeSketch } from '../sketch/codec.ts';
import type { RedBucket, RowColumns } from '../store/store.ts';
import { type Folded, fold, type Reported } from './fold.ts';
import type { SecondStats } from './live-stats.ts';
import { describeSeries } from './series-registry.ts';

/**
 * Rows of one table and tier as columns plus one byte array of sketches: a folded request crosses from a
 * worker thread as a handful of typed arrays (moved, not copied) instead of thousands of objects.
 */
export interface PackedRows {
  /** `width` numbers per row, see SAMPLE_COLUMNS and RED_COLUMNS. */
  columns: Float64Array;
  /** End offset of each row's sketch in `sketches`; an empty range is no sketch. */
  sketchEnds: Uint32Array;
  sketches: Uint8Array;
}

/** A second's live stats with the sketch encoded, to cross the thread boundary. */
interface PortableSecond {
  t: number;
  service: string;
  count: number;
  errors: number;
  sketch: Uint8Array;
  cpuSum: number;
  cpuCount: number;
  memory: [instance: string, sum: number, count: number][];
}

/** A request folded off the main thread. Series are named by their index in `identities` until committed. */
export interface PackedFold {
  identities: SeriesIdentity[];
  /** Service and route names the RED rows point at. */
  strings: string[];
  samples: PackedRows[];
  redServices: PackedRows[];
  redRoutes: PackedRows[];
  serviceSeen: [string, number][];
  seconds: PortableSecond[];
  oldest: number;
  /** Coarse buckets to rebuild, as tier, start pairs. */
  dirty: number[];
  /** Per service, the longest reporting interval of its request series (see Folded.intervals). */
  intervals: [string, Reported][];
  /** Values folded: the unit of work the aggregator's backlog limit counts. */
  observations: number;
  /** Observations as the client counted them (a weighted value stands for many), for /metrics. */
  weighted: number;
}

const SAMPLE_COLUMNS = 8; // series index, t, count, sum, min, max, last, lastT
const RED_COLUMNS = 5; // service, route (-1: none), t, count, errors
const NO_ROUTE = -1;

/** Folds a decoded batch exactly as the aggregator would, and packs the result. */
export function foldPacked(
  batch: SampleBatch,
  { liveFrom, directBefore }: { liveFrom: number; directBefore: readonly number[] },
): PackedFold {
  const inputs = batch.map((samples, i) => ({
    record: describeSeries(i, seriesKey(samples.identity), samples.identity),
    timestamps: samples.timestamps,
    values: samples.values,
    ...(samples.weights ? { weights: samples.weights } : {}),
    ...(samples.explicit ? { explicit: samples.explicit } : {}),
    interval: samples.interval,
    reportedUntil: samples.reportedUntil,
  }));
  const folded = fold(inputs, { liveFrom, directBefore });
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string) => {
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return i;
  };
  const { set } = folded;

  return {
    identities: batch.map((s) => s.identity),
    strings,
    samples: set.samples.map((rows) =>
      packRows(rows, SAMPLE_COLUMNS, (r, c, o) => {
        c[o] = r.seriesId;
        c[o + 1] = r.t;
        c[o + 2] = r.count;
        c[o + 3] = r.sum;
        c[o + 4] = r.min;
        c[o + 5] = r.max;
        c[o + 6] = r.last;
        c[o + 7] = r.lastT;
      }),
    ),
    redServices: set.redServices.map((rows) => packRed(rows, intern)),
    redRoutes: set.redRoutes.map((rows) => packRed(rows, intern)),
    serviceSeen: [...set.serviceSeen],
    seconds: portableSeconds(folded.seconds),
    oldest: folded.oldest,
    dirty: folded.dirty.flat(),
    intervals: [...folded.intervals],
    observations: countObservations(batch),
    weighted: countWeighted(batch),
  };
}

function packRed(rows: readonly RedBucket[], intern: (s: string) => number): PackedRows {
  return packRows(rows, RED_COLUMNS, (r, c, o) => {
    c[o] = intern(r.service);
    c[o + 1] = r.route === undefined ? NO_ROUTE : intern(r.route ?? '');
    c[o + 2] = r.t;
    c[o + 3] = r.count;
    c[o + 4] = r.errors;
  });
}

function packRows<R extends { sketch: Uint8Array | null }>(
  rows: readonly R[],
  width: number,
  write: (row: R, columns: Float64Array, offset: number) => void,
): PackedRows {
  const columns = new Float64Array(rows.length * width);
  const sketchEnds = new Uint32Array(rows.length);
  let bytes = 0;
  for (const row of rows) bytes += row.sketch?.length ?? 0;
  const sketches = new Uint8Array(bytes);
  let end = 0;
  rows.forEach((row, i) => {
    write(row, columns, i * width);
    if (row.sketch) {
      sketches.set(row.sketch, end);
      end += row.sketch.length;
    }
    sketchEnds[i] = end;
  });
  return { columns, sketchEnds, sketches };
}

/** The typed arrays to move with a PackedFold. */
export function transferables(packed: PackedFold): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const rows of [...packed.samples, ...packed.redServices, ...packed.redRoutes]) {
    out.push(
      rows.columns.buffer as ArrayBuffer,
      rows.sketchEnds.buffer as ArrayBuffer,
      rows.sketches.buffer as ArrayBuffer,
    );
  }
  return out;
}

/** The rows of a worker-folded request for the store, with the registry's series ids in place of indexes. */
export function rowColumns(fold: PackedFold, ids: readonly number[]): RowColumns {
  return {
    forEachSample(sink) {
      fold.samples.forEach((rows, tier) => {
        const { columns: c } = rows;
        for (let i = 0, o = 0; o < c.length; i++, o += SAMPLE_COLUMNS) {
          sink(
            tier,
            ids[c[o]!]!,
            c[o + 1]!,
            c[o + 2]!,
            c[o + 3]!,
            c[o + 4]!,
            c[o + 5]!,
            c[o + 6]!,
            c[o + 7]!,
            sketchOf(rows, i),
          );
        }
      });
    },
    forEachRed(sink) {
      for (const tables of [fold.redServices, fold.redRoutes]) {
        tables.forEach((rows, tier) => {
          const { columns: c } = rows;
          for (let i = 0, o = 0; o < c.length; i++, o += RED_COLUMNS) {
            const r = c[o + 1]!;
            const route = r === NO_ROUTE ? undefined : fold.strings[r]! === '' ? null : fold.strings[r]!;
            sink(tier, fold.strings[c[o]!]!, route, c[o + 2]!, c[o + 3]!, c[o + 4]!, sketchOf(rows, i) ?? EMPTY);
          }
        });
      }
    },
  };
}

const EMPTY = Buffer.alloc(0);

/** A view of row i's sketch bytes (no copy), or null. */
function sketchOf(rows: PackedRows, i: number): Buffer | null {
  const start = i === 0 ? 0 : rows.sketchEnds[i - 1]!;
  const end = rows.sketchEnds[i]!;
  return end > start ? Buffer.from(rows.sketches.buffer, rows.sketches.byteOffset + start, end - start) : null;
}

function portableSeconds(seconds: Folded['seconds']): PortableSecond[] {
  const out: PortableSecond[] = [];
  for (const [t, services] of seconds) {
    for (const [service, s] of services) {
      out.push({
        t,
        service,
        count: s.count,
        errors: s.errors,
        sketch: encodeSketch(s.sketch),
        cpuSum: s.cpuSum,
        cpuCount: s.cpuCount,
        memory: [...s.memoryByInstance].map(([instance, m]) => [instance, m.sum, m.count]),
      });
    }
  }
  return out;
}

/** The live stats of a packed fold, in the shape the second window merges. */
export function packedSeconds(packed: PackedFold): Folded['seconds'] {
  const seconds: Folded['seconds'] = new Map();
  for (const p of packed.seconds) {
    let services = seconds.get(p.t);
    if (!services) seconds.set(p.t, (services = new Map()));
    const stats: SecondStats = {
      count: p.count,
      errors: p.errors,
      sketch: decodeSketch(p.sketch),
      cpuSum: p.cpuSum,
      cpuCount: p.cpuCount,
      memoryByInstance: new Map(p.memory.map(([instance, sum, count]) => [instance, { sum, count }])),
      seen: true,
    };
    services.set(p.service, stats);
  }
  return seconds;
}
