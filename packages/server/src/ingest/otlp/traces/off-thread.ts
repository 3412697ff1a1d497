import { foldPacked, type PackedFold } from '../../../aggregate/packed.ts';
import type { FoldContext, TraceRest } from '../../decode-worker.ts';
import { decodeOrReject, ENCODINGS } from '../encodings.ts';
import { entryBatch, refusalKey } from '../off-thread.ts';
import type { Rejections } from '../rejections.ts';
import { type SpanEntry, SpanMapping } from './observations.ts';
import { ServedAddresses } from './served-addresses.ts';
import { UnnamedCalls } from './unnamed-calls.ts';

/**
 * This worker's CLIENT spans that named no callee, for their SERVER spans in later exports, and the addresses
 * services were seen answering at, for the CLIENT spans that name only those.
 */
const memory = { unnamed: new UnnamedCalls(), served: new ServedAddresses() };

/**
 * The decode worker's share of a trace export: decode, map spans to observations, fold. The main thread
 * only resolves series ids and commits, as for metrics; it names the services whose RED comes from metrics
 * (`metricServices`), since the registry that knows lives there, and the series it refused on an earlier
 * try (`refused`), whose spans are rejected.
 */
export function foldTraceExport(
  body: Uint8Array,
  contentType: string,
  context: FoldContext,
  metricServices: readonly string[],
  refused?: ReadonlyMap<string, string>,
): { packed: PackedFold; rest: TraceRest } {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const trace = decodeOrReject(() => ENCODINGS[contentType]!.decodeTraces(bytes));
  const fromMetrics = new Set(metricServices);
  const mapping = new SpanMapping({
    now: context.now,
    limits: context.limits,
    hasRequestMetrics: (service) => fromMetrics.has(service),
    memory,
  }).run(trace);
  const entries = refused
    ? mapping.entries.filter((entry) => !rejectRefused(entry, refused, mapping.rejections))
    : mapping.entries;
  return {
    packed: foldPacked(entryBatch(entries), { ...context, maxBuckets: context.limits.maxBucketsPerRequest }),
    rest: { rejected: mapping.rejections.count, message: mapping.rejections.message(), body },
  };
}

/** Rejects the spans of `entry` when the registry refused its series: whether it did. */
function rejectRefused(entry: SpanEntry, refused: ReadonlyMap<string, string>, rejections: Rejections): boolean {
  const { identity } = entry.samples;
  const reason = refused.get(refusalKey(identity));
  if (reason === undefined) return false;
  const detail = `series "${identity.name}" of service "${identity.service}"`;
  for (const span of entry.points) rejections.reject(span, reason, detail);
  return true;
}
