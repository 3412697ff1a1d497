import type { Aggregator } from '../../../aggregate/aggregator.ts';
import type { SeriesRegistry } from '../../../aggregate/series-registry.ts';
import type { LimitError } from '../../../errors.ts';
import type { DecodePool } from '../../decode-pool.ts';
import type { FoldContext } from '../../decode-worker.ts';
import { grownRefusals, isSeriesRefusal, refusalsOf } from '../admission.ts';
import type { IngestResult } from '../ingest.ts';

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
 * a series (limit, type), the worker maps the export again without those series' spans (refused in
 * partialSuccess), as for metrics.
 */
export class TraceIngest {
  constructor(private readonly deps: TraceIngestDeps) {}

  /** Ingests one export. `body` moves to a decode worker: the caller must not use it afterwards. */
  async ingest(body: Buffer, contentType: string): Promise<IngestResult> {
    const { registry, aggregator, decoders } = this.deps;
    const context = this.deps.context();
    let refused: Map<string, string> | undefined;
    for (;;) {
      const folded = await decoders.traces(body, contentType, context, registry.requestMetricServices(), refused);
      const rest = folded.traces!;
      try {
        await aggregator.submitPacked([folded.packed]);
        return { rejected: rest.rejected, message: rest.message };
      } catch (error) {
        if (!isSeriesRefusal(error)) throw error;
        // Each try refuses more series, or this one fails, so this ends.
        const grown = grownRefusals(refused, await refusalsOf(registry, folded.packed.identities, this.deps.onLimit));
        if (!grown) throw error;
        refused = grown;
      }
      body = Buffer.from(rest.body.buffer, rest.body.byteOffset, rest.body.byteLength);
    }
  }
}
