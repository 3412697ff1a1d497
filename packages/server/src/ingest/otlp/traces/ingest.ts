import type { Aggregator } from '../../../aggregate/aggregator.ts';
import type { SeriesRegistry } from '../../../aggregate/series-registry.ts';
import type { LimitError } from '../../../errors.ts';
import type { DecodePool } from '../../decode-pool.ts';
import type { FoldContext } from '../../decode-worker.ts';
import { admitEntries, isSeriesRefusal } from '../admission.ts';
import { decodeOrReject, ENCODINGS } from '../encodings.ts';
import type { IngestResult } from '../ingest.ts';
import { entryBatch } from '../off-thread.ts';
import { SpanMapping } from './observations.ts';

export interface TraceIngestDeps {
  registry: SeriesRegistry;
  aggregator: Aggregator;
  decoders: DecodePool;
  /** The clock, tiers and limits a request is folded against, taken when it arrives. */
  context: () => FoldContext;
  /** Hears of each series refused by a global limit (series or services in all), for /metrics. */
  onLimit?: (error: LimitError) => void;
}

/**
 * Trace export body -> durable observations. A decode worker decodes, maps spans to request and call
 * observations (SpanMapping) and folds them; the main thread commits them as one aggregator batch, so an
 * export is stored whole or not at all, with the durability of any other ingest. When the registry refuses
 * a series (limit, type), the export is redone here series by series: those spans are refused, the rest
 * stored.
 */
export class TraceIngest {
  constructor(private readonly deps: TraceIngestDeps) {}

  /** Ingests one export. `body` moves to a decode worker: the caller must not use it afterwards. */
  async ingest(body: Buffer, contentType: string): Promise<IngestResult> {
    const { registry, aggregator, decoders } = this.deps;
    const context = this.deps.context();
    const folded = await decoders.traces(body, contentType, context, registry.requestMetricServices());
    const rest = folded.traces!;
    try {
      await aggregator.submitPacked([folded.packed]);
      return { rejected: rest.rejected, message: rest.message };
    } catch (error) {
      if (!isSeriesRefusal(error)) throw error;
    }
    const returned = Buffer.from(rest.body.buffer, rest.body.byteOffset, rest.body.byteLength);
    return this.ingestSeriesBySeries(returned, contentType, context);
  }

  /** Rare path: the whole export on this thread, admitting the series the registry accepts. */
  private async ingestSeriesBySeries(body: Buffer, contentType: string, context: FoldContext): Promise<IngestResult> {
    const { registry, aggregator } = this.deps;
    const trace = decodeOrReject(() => ENCODINGS[contentType]!.decodeTraces(body));
    const { entries, rejections } = new SpanMapping({
      now: context.now,
      limits: context.limits,
      hasRequestMetrics: (service) => registry.hasRequestMetrics(service),
    }).run(trace);
    const admitted = admitEntries(
      registry,
      entries,
      (entry, reason) => {
        const { identity } = entry.samples;
        const detail = `series "${identity.name}" of service "${identity.service}"`;
        for (const span of entry.points) rejections.reject(span, reason, detail);
      },
      this.deps.onLimit,
    );
    if (admitted.length > 0) await aggregator.submit(entryBatch(admitted));
    return { rejected: rejections.count, message: rejections.message() };
  }
}
