import type { Aggregator } from '../../../aggregate/aggregator.ts';
import type { SeriesRegistry } from '../../../aggregate/series-registry.ts';
import type { IngestLimits } from '../../native/decode.ts';
import { admitEntries, isSeriesRefusal } from '../admission.ts';
import { decodeOrReject, ENCODINGS } from '../encodings.ts';
import type { IngestResult } from '../ingest.ts';
import { entryBatch } from '../off-thread.ts';
import { SpanMapping } from './observations.ts';

export interface TraceIngestDeps {
  registry: SeriesRegistry;
  aggregator: Aggregator;
  now: () => number;
  limits: IngestLimits;
}

/**
 * Trace export body -> durable observations: spans are decoded, mapped to request and call observations
 * (SpanMapping) and committed as one aggregator batch, so an export is stored whole or not at all, with
 * the durability of any other ingest. Spans of a series the registry refuses (limit, type) are refused
 * one by one and the rest stored. Runs on the main thread: the mapping needs the registry, to know which
 * services' RED comes from metrics.
 */
export class TraceIngest {
  constructor(private readonly deps: TraceIngestDeps) {}

  async ingest(body: Buffer, contentType: string): Promise<IngestResult> {
    const { registry, aggregator } = this.deps;
    const trace = decodeOrReject(() => ENCODINGS[contentType]!.decodeTraces(body));
    const mapping = new SpanMapping({
      now: this.deps.now(),
      limits: this.deps.limits,
      hasRequestMetrics: (service) => registry.hasRequestMetrics(service),
    }).run(trace);
    const { entries, rejections } = mapping;
    if (entries.length > 0) {
      let pending: Promise<number>;
      try {
        pending = aggregator.submit(entryBatch(entries));
      } catch (error) {
        if (!isSeriesRefusal(error)) throw error;
        const admitted = admitEntries(registry, entries, (entry, reason) => {
          const { identity } = entry.samples;
          const detail = `series "${identity.name}" of service "${identity.service}"`;
          for (const span of entry.points) rejections.reject(span, reason, detail);
        });
        pending = admitted.length > 0 ? aggregator.submit(entryBatch(admitted)) : Promise.resolve(0);
      }
      await pending;
    }
    return { rejected: rejections.count, message: rejections.message() };
  }
}
