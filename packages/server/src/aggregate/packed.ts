import { countObservations, countWeighted, type SampleBatch, type SeriesIdentity, seriesKey } from '../model.ts';
import { decodeSketch, encodeSketch } from '../sketch/codec.ts';
import type { Rows } from '../store/rows.ts';
import type { SeenSpan } from '../store/store.ts';
import { type Folded, fold, type Reported } from './fold.ts';
import type { SecondStats } from './live-stats.ts';
import { describeSeries } from './series-registry.ts';

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

/**
 * A request folded off the main thread, or on it (see Aggregator.submit): the same shape either way. Rows
 * name series by their index in `identities` until the aggregator assigns ids.
 */
export interface PackedFold {
  identities: SeriesIdentity[];
  rows: Rows;
  serviceSeen: [string, SeenSpan][];
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

/** Folds a decoded batch exactly as the aggregator would, and packs the result. */
export function foldPacked(
  batch: SampleBatch,
  {
    liveFrom,
    directBefore,
    now,
    maxBuckets,
  }: {
    liveFrom: number;
    directBefore: readonly number[];
    now?: number;
    /** The request bucket budget (fold's `maxBuckets`), where the caller holds the request to one. */
    maxBuckets?: number;
  },
): PackedFold {
  const inputs = batch.map((samples, i) => ({
    record: describeSeries(i, seriesKey(samples.identity), samples.identity),
    timestamps: samples.timestamps,
    values: samples.values,
    ...(samples.weights ? { weights: samples.weights } : {}),
    ...(samples.explicit ? { explicit: samples.explicit } : {}),
    interval: samples.interval,
    firstSpan: samples.firstSpan,
    reportedUntil: samples.reportedUntil,
    reportedBy: samples.reportedBy,
  }));
  const folded = fold(inputs, { liveFrom, directBefore, ...(maxBuckets !== undefined ? { maxBuckets } : {}) });
  return {
    identities: batch.map((s) => s.identity),
    rows: folded.rows,
    // `now`: when the request arrived. Its data's lateness then is the sender's (see `SeenSpan.lag`).
    serviceSeen: [...folded.serviceSeen].map(([service, seen]) =>
      now === undefined ? [service, seen] : [service, { ...seen, lag: now - seen.first }],
    ),
    seconds: portableSeconds(folded.seconds),
    oldest: folded.oldest,
    dirty: folded.dirty.flat(),
    intervals: [...folded.intervals],
    observations: countObservations(batch),
    weighted: countWeighted(batch),
  };
}

/** The typed arrays to move with a PackedFold. */
export function transferables(packed: PackedFold): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  for (const block of [...packed.rows.samples, ...packed.rows.red]) {
    out.push(
      block.columns.buffer as ArrayBuffer,
      block.sketchEnds.buffer as ArrayBuffer,
      block.sketches.buffer as ArrayBuffer,
    );
  }
  return out;
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
