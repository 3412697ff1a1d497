import { foldPacked, type PackedFold } from '../../aggregate/packed.ts';
import { type SampleBatch, type SeriesIdentity, type SeriesSamples, seriesKey } from '../../model.ts';
import type { CumulativeState } from '../../store/store.ts';
import type { FoldContext } from '../decode-worker.ts';
import { Conversion } from './convert.ts';
import { CumulativeSeries } from './cumulative.ts';
import { decodeOtlpMetrics } from './encodings.ts';
import { deltaEntries } from './kinds.ts';

/** An OTLP metrics export for the decode worker that keeps the cumulative series (see `DecodePool.otlp`). */
export interface OtlpJob {
  id: number;
  body: Uint8Array;
  contentType: string;
  context: FoldContext;
  /** Series the registry refused on an earlier try, by `refusalKey`, with the reason: their points are rejected. */
  refused?: ReadonlyMap<string, string>;
}

/** What an OTLP export leaves for the main thread besides its folded samples. */
export interface OtlpRest {
  /** The new states of its cumulative series, to commit with the samples; then `DecodePool.settle`. */
  states: CumulativeState[];
  /**
   * Whether it holds series until `DecodePool.settle`: those of `states`, and older starts' last points, which
   * only the worker keeps (see `CumulativeSeries`).
   */
  holds: boolean;
  rejected: number;
  message: string;
  /** The body, handed back (it moved to the worker) in case the export must be converted again. */
  body: Uint8Array;
}

export type OtlpAnswer = (work: () => { packed: PackedFold; rest: OtlpRest }) => void;

/** The cumulative series, loaded from the store when this worker starts (`loadCumulativeSeries`). */
let series = new CumulativeSeries([]);
/** Exports with points of series that an unsettled export holds, oldest first. */
const waiting: { job: OtlpJob; c: Conversion; answer: OtlpAnswer }[] = [];

export function loadCumulativeSeries(rows: readonly CumulativeState[], otherStarts: boolean): void {
  series = new CumulativeSeries(rows, otherStarts);
}

/**
 * The decode worker's share of an OTLP export: decode, convert, turn cumulative points into deltas against
 * their series' last points, and fold, all in one pass. `answer` runs the last steps at once, or once the
 * exports holding its series have settled.
 */
export function ingestExport(job: OtlpJob, answer: OtlpAnswer): void {
  const c = convertExport(job);
  if (series.blocked(c.cumulative)) waiting.push({ job, c, answer });
  else answer(() => foldExport(job, c, series));
}

/** Export `id`'s states committed or not (see CumulativeSeries.settle); exports waiting for its series go on. */
export function settleExport(id: number, committed: boolean): void {
  series.settle(id, committed);
  for (let i = 0; i < waiting.length; ) {
    const w = waiting[i]!;
    if (series.blocked(w.c.cumulative)) {
      i++;
      continue;
    }
    waiting.splice(i, 1);
    w.answer(() => foldExport(w.job, w.c, series));
  }
}

export function reloadCumulative(current: readonly CumulativeState[], missing: readonly string[]): void {
  series.reload(current, missing);
}

export function forgetCumulative(forget: { service: string } | { before: number }): void {
  if ('service' in forget) series.forgetService(forget.service);
  else series.forgetBefore(forget.before);
}

/** Decodes and converts an export, rejecting the points of series refused before. */
export function convertExport(job: Omit<OtlpJob, 'id'>): Conversion {
  const bytes = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  const c = new Conversion(job.context.now, job.context.limits).run(decodeOtlpMetrics(job.contentType, bytes));
  if (job.refused) refuse(c, job.refused);
  return c;
}

/** Diffs a converted export's cumulative points against `states`, which hold their series until settled, and folds. */
export function foldExport(
  job: OtlpJob,
  c: Conversion,
  states: CumulativeSeries,
): { packed: PackedFold; rest: OtlpRest } {
  const { deltas, rows, older } = states.advance(job.id, c.cumulative);
  // Where instances share the store, points of an older start are not counted (see `CumulativeSeries`): two
  // processes without their own `service.instance.id` send one series from two starts, and every point of
  // the older one was dropped unsaid, the service read at half its rate. The sender is told.
  for (const p of older) c.rejections.reject(p.point, OLDER_START, seriesDetail(p.identity));
  try {
    deltaEntries(c, deltas);
    // Held to the request bucket budget, as native batches and trace exports are: 100,000 delta points of one
    // series, each its own second of a week, took a decode worker past its heap.
    const packed = foldPacked(entryBatch(c.entries), {
      ...job.context,
      maxBuckets: job.context.limits.maxBucketsPerRequest,
    });
    return {
      packed,
      rest: {
        states: rows,
        holds: states.holds(job.id),
        rejected: c.rejections.count,
        message: c.rejections.message(),
        body: job.body,
      },
    };
  } catch (error) {
    // The main thread gets no states to settle: let the series go now.
    states.settle(job.id, false);
    throw error;
  }
}

const OLDER_START =
  "cumulative with a start time before that of their series' newest point: two processes send the same series " +
  '(give each its own service.instance.id), or a point from before a restart';

/** A refused series as a refusal's example names it. */
function seriesDetail(identity: SeriesIdentity): string {
  return `metric "${identity.name}" of service "${identity.service}"`;
}

/** A series' name in a list of refusals; with its kind, so a type conflict refuses only the other type's series. */
export function refusalKey(identity: SeriesIdentity): string {
  return `${identity.kind}\u0000${seriesKey(identity)}`;
}

function refuse(c: Conversion, refused: ReadonlyMap<string, string>): void {
  const keep = (identity: SeriesIdentity, points: readonly number[]) => {
    const reason = refused.get(refusalKey(identity));
    if (reason === undefined) return true;
    for (const point of points) c.rejections.reject(point, reason, seriesDetail(identity));
    return false;
  };
  const entries = c.entries.filter((entry) => keep(entry.samples.identity, entry.points));
  const cumulative = c.cumulative.filter((p) => keep(p.identity, [p.point]));
  c.entries.length = 0;
  for (const entry of entries) c.entries.push(entry);
  c.cumulative.length = 0;
  for (const p of cumulative) c.cumulative.push(p);
}

/** Entries (of metric points or spans) as an aggregator batch; `origin` names the entry in an error. */
export function entryBatch(entries: readonly { samples: SeriesSamples }[]): SampleBatch {
  return entries.map((entry, i) => {
    entry.samples.origin = `otlp#${i}`;
    return entry.samples;
  });
}
