import type { Aggregator } from '../../aggregate/aggregator.ts';
import type { PackedFold } from '../../aggregate/packed.ts';
import type { SeriesRegistry } from '../../aggregate/series-registry.ts';
import type { LimitError } from '../../errors.ts';
import { StaleCumulativeError } from '../../store/stale-cumulative.ts';
import type { CumulativeState, Store } from '../../store/store.ts';
import type { DecodePool } from '../decode-pool.ts';
import type { FoldContext } from '../decode-worker.ts';
import { grownRefusals, isSeriesRefusal, refusalsOf } from './admission.ts';

export interface OtlpIngestDeps {
  store: Store;
  registry: SeriesRegistry;
  aggregator: Aggregator;
  decoders: DecodePool;
  /** The clock, tiers and limits a request is folded against, taken when it arrives. */
  context: () => FoldContext;
  /** Called for each series a limit refuses (for /metrics). */
  onLimit?: (error: LimitError) => void;
}

/** Times an export is diffed again here when another instance moved one of its cumulative series on. */
const STALE_RETRIES = 2;

export interface IngestResult {
  /** Data points refused, for partialSuccess.rejectedDataPoints. */
  rejected: number;
  message: string;
}

/**
 * Export body -> durable samples. The decode worker that keeps the cumulative series decodes, converts,
 * turns cumulative points into deltas and folds, in one message (otlp/off-thread.ts); here everything
 * commits as one aggregator batch with the cumulative states it advances, and the worker then hears
 * whether it did. Overload and store failures reject the whole request and change nothing.
 */
export class OtlpIngest {
  constructor(private readonly deps: OtlpIngestDeps) {}

  /** Ingests one export. `body` moves to a decode worker: the caller must not use it afterwards. */
  async ingest(body: Buffer, contentType: string): Promise<IngestResult> {
    const { decoders } = this.deps;
    const context = this.deps.context();
    let refused: Map<string, string> | undefined;
    let staleTries = 0;
    for (;;) {
      const decoded = await decoders.otlp(body, contentType, context, refused);
      const otlp = decoded.otlp!;
      try {
        await this.commit(decoded.id, decoded.packed, otlp.states, otlp.holds);
        return { rejected: otlp.rejected, message: otlp.message };
      } catch (error) {
        // Another instance moved a series on: the worker has its stored state now, so diff the export again
        // (twice at most; past that the sender retries on the 503).
        if (error instanceof StaleCumulativeError && staleTries++ < STALE_RETRIES) {
          body = Buffer.from(otlp.body.buffer, otlp.body.byteOffset, otlp.body.byteLength);
          continue;
        }
        if (!isSeriesRefusal(error)) throw error;
        // Some series cannot be created (limit, type): convert the export again without them. Each try
        // refuses more series, or this one fails, so this ends.
        const more = await refusalsOf(this.deps.registry, decoded.packed.identities, this.deps.onLimit);
        const grown = grownRefusals(refused, more);
        if (!grown) throw error;
        refused = grown;
      }
      body = Buffer.from(otlp.body.buffer, otlp.body.byteOffset, otlp.body.byteLength);
    }
  }

  /**
   * Forgets the cumulative state of series silent since before `time`, stored and in the worker: without
   * this, every series that ever reported cumulatively (pods come and go) would keep a row for good. A
   * series back after that long counts its next point in full, as after a reset.
   */
  async forgetStale(time: number): Promise<number> {
    const forgotten = await this.deps.store.forgetCumulativeBefore(time);
    this.deps.decoders.forgetCumulative({ before: time });
    return forgotten;
  }

  /** Forgets the cumulative state of a deleted service's series (the store dropped its rows). */
  forgetService(name: string): void {
    this.deps.decoders.forgetCumulative({ service: name });
  }

  /**
   * Commits a worker's answer with the states it advances, then tells the worker whether that worked (when
   * the answer `holds` series there).
   */
  private async commit(id: number, packed: PackedFold, states: CumulativeState[], holds: boolean): Promise<void> {
    let committed = false;
    try {
      await this.deps.aggregator.submitPacked([packed], states);
      committed = true;
    } catch (error) {
      if (error instanceof StaleCumulativeError) this.deps.decoders.reloadCumulative(error.current, error.missing);
      throw error;
    } finally {
      if (holds) this.deps.decoders.settle(id, committed);
    }
  }
}
