import { foldPacked, type PackedFold } from '../../aggregate/packed.ts';
import type { SampleBatch } from '../../model.ts';
import type { FoldContext, OtlpRest } from '../decode-worker.ts';
import { Conversion, type Entry, type PendingCumulative } from './convert.ts';
import type { Delta } from './cumulative.ts';
import { decodeOtlpMetrics } from './encodings.ts';
import { deltaEntry } from './kinds.ts';

/**
 * The decode worker's share of an OTLP export: decode, convert, and fold every point that needs no
 * per-series state (gauges, delta sums and histograms). Cumulative points go back to the main thread,
 * which holds each series' last point; their deltas come back here through `foldOtlpDeltas`.
 */
export function convertOtlpExport(
  body: Uint8Array,
  contentType: string,
  context: FoldContext,
): { packed: PackedFold; rest: OtlpRest } {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const c = new Conversion(context.now, context.limits).run(decodeOtlpMetrics(contentType, bytes));
  return {
    packed: foldPacked(entryBatch(c.entries), context),
    rest: { cumulative: c.cumulative, rejected: c.rejections.count, message: c.rejections.message() },
  };
}

/** Folds deltas the main thread computed from cumulative points. */
export function foldOtlpDeltas(deltas: readonly Delta<PendingCumulative>[], context: FoldContext): PackedFold {
  const c = new Conversion(context.now, context.limits);
  for (const delta of deltas) deltaEntry(c, delta);
  return foldPacked(entryBatch(c.entries), context);
}

/** Entries as an aggregator batch; `origin` names the entry in an error. */
export function entryBatch(entries: readonly Entry[]): SampleBatch {
  return entries.map((entry, i) => {
    entry.samples.origin = `otlp#${i}`;
    return entry.samples;
  });
}
