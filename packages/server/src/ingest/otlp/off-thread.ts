import { foldPacked, type PackedFold } from '../../aggregate/packed.ts';
import type { SampleBatch, SeriesSamples } from '../../model.ts';
import type { FoldContext, OtlpRest } from '../decode-worker.ts';
import { Conversion } from './convert.ts';
import { type Decisions, headsOf, statesOf } from './cumulative.ts';
import { decodeOtlpMetrics } from './encodings.ts';
import { deltaEntries } from './kinds.ts';
import { PendingPoints } from './pending-points.ts';

/** Cumulative points of requests waiting for the main thread's decisions, by the request's job id. */
const awaiting = new Map<number, PendingPoints>();

/**
 * The decode worker's share of an OTLP export: decode, convert, and fold every point that needs no
 * per-series state (gauges, delta sums and histograms). Cumulative points stay here under `id`; the main
 * thread, which holds each series' last point, gets their keys, times and stored text only, and answers
 * with a decision per point (`foldCumulative`).
 */
export function convertOtlpExport(
  id: number,
  body: Uint8Array,
  contentType: string,
  context: FoldContext,
): { packed: PackedFold; rest: OtlpRest } {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const c = new Conversion(context.now, context.limits).run(decodeOtlpMetrics(contentType, bytes));
  if (c.cumulative.length > 0) awaiting.set(id, new PendingPoints(c.cumulative));
  return {
    packed: foldPacked(entryBatch(c.entries), context),
    rest: {
      cumulative: headsOf(c.cumulative),
      rejected: c.rejections.count,
      message: c.rejections.message(),
      body,
    },
  };
}

/**
 * Folds the deltas of request `ref`'s cumulative points as the main thread decided, encodes the states of
 * the points in `finals` for it to store, and lets the points go.
 */
export function foldCumulative(
  ref: number,
  decisions: Decisions,
  finals: readonly number[],
  context: FoldContext,
): { packed: PackedFold; states: string[] } {
  const points = awaiting.get(ref);
  awaiting.delete(ref);
  if (!points || points.length !== decisions.codes.length) {
    throw new Error(`no cumulative points waiting for request ${ref}`);
  }
  const c = new Conversion(context.now, context.limits);
  deltaEntries(c, points, decisions);
  return { packed: foldPacked(entryBatch(c.entries), context), states: statesOf(points, finals) };
}

/** Entries (of metric points or spans) as an aggregator batch; `origin` names the entry in an error. */
export function entryBatch(entries: readonly { samples: SeriesSamples }[]): SampleBatch {
  return entries.map((entry, i) => {
    entry.samples.origin = `otlp#${i}`;
    return entry.samples;
  });
}
