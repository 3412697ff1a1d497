import { foldPacked, type PackedFold } from '../../../aggregate/packed.ts';
import type { FoldContext, TraceRest } from '../../decode-worker.ts';
import { decodeOrReject, ENCODINGS } from '../encodings.ts';
import { entryBatch } from '../off-thread.ts';
import { SpanMapping } from './observations.ts';
import { UnnamedCalls } from './unnamed-calls.ts';

/** This worker's CLIENT spans that named no callee, for their SERVER spans in later exports. */
const unnamed = new UnnamedCalls();

/**
 * The decode worker's share of a trace export: decode, map spans to observations, fold. The main thread
 * only resolves series ids and commits, as for metrics; it names the services whose RED comes from metrics
 * (`metricServices`), since the registry that knows lives there.
 */
export function foldTraceExport(
  body: Uint8Array,
  contentType: string,
  context: FoldContext,
  metricServices: readonly string[],
): { packed: PackedFold; rest: TraceRest } {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const trace = decodeOrReject(() => ENCODINGS[contentType]!.decodeTraces(bytes));
  const fromMetrics = new Set(metricServices);
  const mapping = new SpanMapping({
    now: context.now,
    limits: context.limits,
    hasRequestMetrics: (service) => fromMetrics.has(service),
    unnamed,
  }).run(trace);
  return {
    packed: foldPacked(entryBatch(mapping.entries), context),
    rest: { rejected: mapping.rejections.count, message: mapping.rejections.message(), body },
  };
}
