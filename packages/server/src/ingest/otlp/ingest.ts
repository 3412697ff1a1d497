import type { Aggregator } from '../../aggregate/aggregator.ts';
import type { SeriesRegistry } from '../../aggregate/series-registry.ts';
import type { LimitError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import type { DecodePool } from '../decode-pool.ts';
import type { FoldContext } from '../decode-worker.ts';
import { admitEntries, isSeriesRefusal } from './admission.ts';
import { Conversion, type Entry } from './convert.ts';
import { CumulativeTracker, finalPoints, headsOf, type NextStates, statesOf, withStates } from './cumulative.ts';
import { decodeOtlpMetrics } from './encodings.ts';
import { KeyedLock } from './keyed-lock.ts';
import { deltaEntries } from './kinds.ts';
import { entryBatch } from './off-thread.ts';

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

export interface IngestResult {
  /** Data points refused, for partialSuccess.rejectedDataPoints. */
  rejected: number;
  message: string;
}

/**
 * Export body -> durable samples. A decode worker decodes, converts and folds everything that needs no
 * per-series state; here cumulative points are planned against each series' last point under a per-series
 * lock (the same worker then subtracts and folds them), everything commits as one aggregator batch with
 * the cumulative state it advances, and only then does the in-memory state move on. Overload and store
 * failures reject the whole request and change nothing.
 */
export class OtlpIngest {
  private readonly tracker: CumulativeTracker;
  private readonly locks = new KeyedLock();

  constructor(private readonly deps: OtlpIngestDeps) {
    this.tracker = new CumulativeTracker(deps.store.loadCumulativeState());
  }

  /** Ingests one export. `body` moves to a decode worker: the caller must not use it afterwards. */
  async ingest(body: Buffer, contentType: string): Promise<IngestResult> {
    const { decoders, aggregator } = this.deps;
    const context = this.deps.context();
    const first = await decoders.otlp(body, contentType, context);
    const rest = first.otlp!;
    const release = await this.lock(rest.cumulative.keys);
    try {
      const { decisions, next: planned } = this.tracker.plan(rest.cumulative);
      const folds = [first.packed];
      let next: NextStates = new Map();
      // The worker keeps the request's cumulative points until it gets their decisions.
      if (rest.cumulative.keys.length > 0) {
        const finals = finalPoints(planned);
        const deltas = await decoders.otlpCumulative(first.slot, first.id, decisions, finals, context);
        folds.push(deltas.packed);
        next = withStates(planned, deltas.states ?? []);
      }
      await aggregator.submitPacked(folds, this.tracker.rows(next));
      this.tracker.commit(next);
      return { rejected: rest.rejected, message: rest.message };
    } catch (error) {
      if (!isSeriesRefusal(error)) throw error;
    } finally {
      release?.();
    }
    // Some series cannot be created (limit, type): redo the request on this thread, series by series.
    const returned = Buffer.from(rest.body.buffer, rest.body.byteOffset, rest.body.byteLength);
    return this.ingestSeriesBySeries(returned, contentType, context);
  }

  /**
   * Forgets the cumulative state of series silent since before `time`, in memory and stored: without this,
   * every series that ever reported cumulatively (pods come and go) would keep a row for good. A series
   * back after that long counts its next point in full, as after a reset.
   */
  forgetStale(time: number): number {
    this.tracker.forgetBefore(time);
    return this.deps.store.forgetCumulativeBefore(time);
  }

  /** Forgets the cumulative state of a deleted service's series. */
  forgetService(name: string): void {
    this.tracker.forgetService(name);
  }

  /** Rare path: the whole request on this thread, admitting the series the registry accepts. */
  private async ingestSeriesBySeries(body: Buffer, contentType: string, context: FoldContext): Promise<IngestResult> {
    const c = new Conversion(context.now, context.limits).run(decodeOtlpMetrics(contentType, body));
    const heads = headsOf(c.cumulative);
    const release = await this.lock(heads.keys);
    try {
      const { decisions, next: planned } = this.tracker.plan(heads);
      deltaEntries(c, c.cumulative, decisions);
      const next = withStates(planned, statesOf(c.cumulative, finalPoints(planned)));
      await this.submit(c, c.entries, next);
      this.tracker.commit(next);
      return { rejected: c.rejections.count, message: c.rejections.message() };
    } finally {
      release?.();
    }
  }

  /** Waits for every earlier request holding one of these series keys (each listed once). */
  private lock(keys: readonly string[]): Promise<(() => void) | null> {
    return keys.length > 0 ? this.locks.acquire(keys) : Promise.resolve(null);
  }

  private async submit(c: Conversion, entries: Entry[], next: NextStates): Promise<void> {
    if (entries.length === 0 && next.size === 0) return;
    let admitted = entries;
    let pending: Promise<number>;
    try {
      pending = this.deps.aggregator.submit(entryBatch(admitted), this.tracker.rows(next));
    } catch (error) {
      // Some series cannot be created (limit, type): find which, one by one, and store the rest.
      if (!isSeriesRefusal(error)) throw error;
      admitted = this.admit(c, entries, next);
      pending = this.deps.aggregator.submit(entryBatch(admitted), this.tracker.rows(next));
    }
    await pending;
  }

  /** The entries whose series the registry accepts; refused series lose their points and state. */
  private admit(c: Conversion, entries: Entry[], next: NextStates): Entry[] {
    return admitEntries(
      this.deps.registry,
      entries,
      (entry, reason) => {
        const { identity } = entry.samples;
        const detail = `metric "${identity.name}" of service "${identity.service}"`;
        for (const point of entry.points) c.rejections.reject(point, reason, detail);
        if (entry.cumulative) next.delete(entry.series);
      },
      this.deps.onLimit,
    );
  }
}
