import { AppError, overloaded } from '../errors.ts';
import { countObservations, countWeighted, type SampleBatch } from '../model.ts';
import type { CumulativeState, SeriesRecord, Store, WriteSet } from '../store/store.ts';
import { addReported, type Folded, type FoldInput, fold } from './fold.ts';
import { mergeSecondStats } from './live-stats.ts';
import { type PackedFold, packedSeconds, rowColumns } from './packed.ts';
import type { SeriesRegistry } from './series-registry.ts';

interface Pending {
  inputs: FoldInput[];
  /** Folded in workers; `ids` are the registry's ids of each fold's identities, in order. */
  packed: { fold: PackedFold; ids: number[] }[];
  cumulative: CumulativeState[];
  created: SeriesRecord[];
  observations: number;
  /** Observations as the client counted them (for /metrics). */
  weighted: number;
  resolve: (accepted: number) => void;
  reject: (error: Error) => void;
}

export interface AggregatorOptions {
  store: Store;
  registry: SeriesRegistry;
  /** Observations waiting to commit past which `submit` answers 503. */
  maxPendingObservations: number;
  /** Seconds before this are no longer collected for live frames. */
  liveFrom?: () => number;
  /** Per coarse tier, buckets before this are written directly, newer ones marked for rebuilding. */
  directBefore?: () => readonly number[];
  /** Called after each commit with what it wrote, for the live stream and metrics. */
  onCommitted?: (folded: Folded, stats: { observations: number; writeMs: number }) => void;
}

/**
 * Group commit: requests that arrive while the event loop is busy share one transaction. A request's
 * promise resolves only after the transaction holding its data has committed, so an acknowledged write
 * survives a crash, and since each bucket write is an additive upsert inside that same transaction,
 * nothing is ever applied twice.
 */
export class Aggregator {
  private pending: Pending[] = [];
  private pendingObservations = 0;
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: AggregatorOptions) {}

  get queuedObservations(): number {
    return this.pendingObservations;
  }

  /**
   * Validates identities (type, cardinality) synchronously, then resolves with the count once durable.
   * `cumulative` carries converter state that must commit with these samples (OTLP cumulative series).
   */
  submit(batch: SampleBatch, cumulative: CumulativeState[] = []): Promise<number> {
    const observations = countObservations(batch);
    const refused = this.refusal(observations);
    if (refused) return Promise.reject(refused);
    const { records, created } = this.options.registry.resolve(batch);
    const inputs = batch.map((samples, i) => ({
      record: records[i]!,
      timestamps: samples.timestamps,
      values: samples.values,
      weights: samples.weights,
      explicit: samples.explicit,
      interval: samples.interval,
      reportedUntil: samples.reportedUntil,
    }));
    return new Promise((resolve, reject) => {
      const weighted = countWeighted(batch);
      this.enqueue({ inputs, packed: [], cumulative, created, observations, weighted, resolve, reject });
    });
  }

  /**
   * Like `submit`, for parts of one request that workers have already folded (see packed.ts): all of them
   * commit together, with `cumulative`, or none does.
   */
  submitPacked(folds: readonly PackedFold[], cumulative: CumulativeState[] = []): Promise<number> {
    let observations = 0;
    let weighted = 0;
    for (const fold of folds) {
      observations += fold.observations;
      weighted += fold.weighted;
    }
    const refused = this.refusal(observations);
    if (refused) return Promise.reject(refused);
    // A fold's identities are its batch's items in order, so a refusal can name the native item.
    const batch = folds.flatMap((fold) =>
      fold.identities.map((identity, i) => ({ identity, timestamps: [], values: [], origin: `metrics[${i}]` })),
    );
    const { records, created } = this.options.registry.resolve(batch);
    let next = 0;
    const packed = folds.map((fold) => ({
      fold,
      ids: records.slice(next, (next += fold.identities.length)).map((r) => r.id),
    }));
    return new Promise((resolve, reject) => {
      this.enqueue({ inputs: [], packed, cumulative, created, observations, weighted, resolve, reject });
    });
  }

  /** Why a request of this many observations cannot be queued now, if it cannot: shutting down, or overload. */
  private refusal(observations: number): AppError | null {
    if (this.closed) return new AppError('PULSE_ERR_NOT_READY', 'the server is shutting down');
    const { maxPendingObservations } = this.options;
    if (this.pendingObservations > 0 && this.pendingObservations + observations > maxPendingObservations) {
      return overloaded(1);
    }
    return null;
  }

  private enqueue(pending: Pending): void {
    this.pending.push(pending);
    this.pendingObservations += pending.observations;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes everything queued in one transaction. Synchronous: shutdown calls it directly. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.pendingObservations = 0;
    let folded: Folded;
    const started = performance.now();
    try {
      folded = fold(
        batch.flatMap((p) => p.inputs),
        {
          liveFrom: this.options.liveFrom?.() ?? Number.NEGATIVE_INFINITY,
          ...(this.options.directBefore ? { directBefore: this.options.directBefore() } : {}),
        },
      );
      for (const p of batch) for (const { fold, ids } of p.packed) addPacked(folded, fold, ids);
      const set: WriteSet = folded.set;
      set.dirty = folded.dirty;
      set.newSeries = batch.flatMap((p) => p.created);
      set.cumulative = batch.flatMap((p) => p.cumulative);
      this.options.store.write(set);
    } catch (error) {
      for (const p of batch) {
        this.options.registry.release(p.created);
        p.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    const writeMs = performance.now() - started;
    for (const p of batch) p.resolve(p.observations);
    const weighted = batch.reduce((n, p) => n + p.weighted, 0);
    this.options.onCommitted?.(folded, { observations: weighted, writeMs });
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}

/** Adds a worker-folded request to this commit; rows for the same bucket simply add up in the store. */
function addPacked(into: Folded, fold: PackedFold, ids: readonly number[]): void {
  const { set } = into;
  (set.columns ??= []).push(rowColumns(fold, ids));
  for (const [service, seen] of fold.serviceSeen) {
    if (seen > (set.serviceSeen.get(service) ?? 0)) set.serviceSeen.set(service, seen);
  }
  into.oldest = Math.min(into.oldest, fold.oldest);
  for (const [service, reported] of fold.intervals) addReported(into.intervals, service, reported);
  for (let i = 0; i < fold.dirty.length; i += 2) into.dirty.push([fold.dirty[i]!, fold.dirty[i + 1]!]);
  for (const [t, services] of packedSeconds(fold)) {
    let existing = into.seconds.get(t);
    if (!existing) into.seconds.set(t, (existing = new Map()));
    for (const [service, stats] of services) {
      const current = existing.get(service);
      if (current) mergeSecondStats(current, stats);
      else existing.set(service, stats);
    }
  }
}
