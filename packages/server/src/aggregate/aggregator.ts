import { AppError, overloaded } from '../errors.ts';
import { countObservations, type SampleBatch } from '../model.ts';
import { StaleCumulativeError } from '../store/stale-cumulative.ts';
import { type CumulativeState, type SeriesRecord, type Store, widenSeen } from '../store/store.ts';
import { staleParts, writeCommit } from './commit-write.ts';
import { addReported, type Folded } from './fold.ts';
import { mergeSecondStats } from './live-stats.ts';
import { foldPacked, type PackedFold, packedSeconds } from './packed.ts';
import type { SeriesRegistry } from './series-registry.ts';

interface Pending {
  /** The request's folds, their rows naming series by index into `records` until the commit names them by id. */
  folds: PackedFold[];
  cumulative: CumulativeState[];
  created: SeriesRecord[];
  /** Every series the folds name, to check they are still registered when the request commits. */
  records: readonly SeriesRecord[];
  observations: number;
  /** Observations as the client counted them (for /metrics). */
  weighted: number;
  resolve: (accepted: number) => void;
  reject: (error: Error) => void;
  /** `performance.now()` when queued, to bound how long a commit waits for more (`HOLD_MS`). */
  queuedAt: number;
}

/**
 * How long a queued request may wait for the requests still being decoded to join its commit. A commit's
 * cost is mostly per commit, not per request (BEGIN/COMMIT, the database pages it dirties): see
 * docs/performance.md, 2026-12-05 "Waiting for decodes in flight".
 */
export const HOLD_MS = 3;

/** What one commit wrote, for the live stream, the query side and metrics. */
export type Committed = Pick<Folded, 'seconds' | 'oldest' | 'dirty' | 'intervals' | 'serviceSeen'>;

export interface AggregatorOptions {
  store: Store;
  registry: SeriesRegistry;
  /** Observations waiting to commit past which `submit` answers 503. */
  maxPendingObservations: number;
  /** Seconds before this are no longer collected for live frames. */
  liveFrom?: () => number;
  /** Per coarse tier, buckets before this are written directly, newer ones marked for rebuilding. */
  directBefore?: () => readonly number[];
  /**
   * Whether requests are being decoded now whose folds will be submitted without waiting for a commit:
   * the next commit waits for them (at most `HOLD_MS`), so requests sent together commit together.
   */
  moreComing?: () => boolean;
  /** Called after each commit with what it wrote, for the live stream and metrics. */
  onCommitted?: (committed: Committed, stats: { observations: number; writeMs: number }) => void;
}

/**
 * Group commit: requests that arrive while the event loop is busy share one transaction. A request's
 * promise resolves only after the transaction holding its data has committed, so an acknowledged write
 * survives a crash, and since each bucket write is an additive upsert inside that same transaction,
 * nothing is ever applied twice. One commit runs at a time; requests arriving meanwhile form the next.
 * A request queued meanwhile may name a series that commit created; if the commit fails (or the service is
 * deleted), that series is released, and the request is answered 503 to retry rather than stored without it.
 */
export class Aggregator {
  private pending: Pending[] = [];
  private pendingObservations = 0;
  private scheduled = false;
  private committing: Promise<void> | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: AggregatorOptions) {}

  get queuedObservations(): number {
    return this.pendingObservations;
  }

  /**
   * Validates identities (type, cardinality) synchronously, folds on this thread, then resolves with the
   * count once durable. `cumulative` carries converter state that must commit with these samples (OTLP
   * cumulative series).
   */
  submit(batch: SampleBatch, cumulative: CumulativeState[] = []): Promise<number> {
    const refused = this.refusal(countObservations(batch));
    if (refused) return Promise.reject(refused);
    const { records, created } = this.options.registry.resolve(batch);
    let fold: PackedFold;
    try {
      fold = foldPacked(batch, {
        liveFrom: this.options.liveFrom?.() ?? Number.NEGATIVE_INFINITY,
        directBefore: this.options.directBefore?.() ?? [],
      });
    } catch (error) {
      this.options.registry.release(created);
      throw error;
    }
    return this.enqueue([fold], records, created, cumulative);
  }

  /**
   * Like `submit`, for parts of one request that workers have already folded (see packed.ts): all of them
   * commit together, with `cumulative`, or none does.
   */
  submitPacked(folds: readonly PackedFold[], cumulative: CumulativeState[] = []): Promise<number> {
    const refused = this.refusal(folds.reduce((n, fold) => n + fold.observations, 0));
    if (refused) return Promise.reject(refused);
    // A fold's identities are its batch's items in order, so a refusal can name the native item.
    const batch = folds.flatMap((fold) =>
      fold.identities.map((identity, i) => ({ identity, origin: `metrics[${i}]` })),
    );
    const { records, created } = this.options.registry.resolve(batch);
    return this.enqueue(folds, records, created, cumulative);
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

  /** Queues folds whose series, in order, are `records`, for the next commit. */
  private enqueue(
    folds: readonly PackedFold[],
    records: readonly SeriesRecord[],
    created: SeriesRecord[],
    cumulative: CumulativeState[],
  ): Promise<number> {
    let observations = 0;
    let weighted = 0;
    for (const fold of folds) {
      observations += fold.observations;
      weighted += fold.weighted;
    }
    return new Promise((resolve, reject) => {
      const queuedAt = performance.now();
      this.pending.push({
        folds: [...folds],
        cumulative,
        created,
        records,
        observations,
        weighted,
        resolve,
        reject,
        queuedAt,
      });
      this.pendingObservations += observations;
      this.schedule();
    });
  }

  /**
   * Flushes on the next turn of the event loop, or after the commit in flight settles, or once the decodes
   * in flight have been submitted (or `HOLD_MS` after the oldest queued request).
   */
  private schedule(): void {
    if (this.scheduled || this.committing || this.holding()) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Whether the next commit waits for folds about to be submitted; if so, a timer ends the wait. */
  private holding(): boolean {
    const oldest = this.pending[0];
    if (!oldest || !this.options.moreComing?.()) return false;
    const left = oldest.queuedAt + HOLD_MS - performance.now();
    if (left <= 0) return false;
    this.holdTimer ??= setTimeout(() => {
      this.holdTimer = null;
      this.schedule();
    }, left);
    return true;
  }

  /**
   * Commits everything queued, in one transaction, after the commit in flight (one at a time, so state
   * that overwrites, like cumulative state, lands in order). Resolves once that commit has settled and its
   * requests have been answered; it never rejects (a failed commit rejects its requests).
   */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    if (this.committing) return this.committing.then(() => this.flush());
    const batch = this.pending;
    if (batch.length === 0) return Promise.resolve();
    this.pending = [];
    this.pendingObservations = 0;
    this.committing = this.commit(batch).finally(() => {
      this.committing = null;
      if (this.pending.length > 0) this.schedule();
    });
    return this.committing;
  }

  private async commit(queued: Pending[]): Promise<void> {
    const started = performance.now();
    let batch = this.registered(queued);
    while (batch.length > 0) {
      try {
        await writeCommit(this.options.store, batch);
        break;
      } catch (error) {
        // A cumulative state another instance moved on fails only the requests that carry it (OTLP ingest
        // converts their exports again); the commit is written again without them, so the requests batched
        // with one export that raced another instance are not answered 503 for it.
        const stale = error instanceof StaleCumulativeError ? staleParts(batch, error) : [];
        const failed = stale.length > 0 ? stale : batch;
        for (const p of failed) {
          this.options.registry.release(p.created);
          p.reject(error instanceof Error ? error : new Error(String(error)));
        }
        // Requests naming a series a failed one had created are refused by `registered` (503, retried).
        batch = failed === batch ? [] : this.registered(batch.filter((p) => !failed.includes(p)));
      }
    }
    if (batch.length === 0) return;
    const writeMs = performance.now() - started;
    for (const p of batch) p.resolve(p.observations);
    const weighted = batch.reduce((n, p) => n + p.weighted, 0);
    this.options.onCommitted?.(committed(batch), { observations: weighted, writeMs });
  }

  /**
   * The requests whose series are all still registered; the others are answered 503 to retry (a series
   * they named was created by a request that failed, or its service was deleted).
   */
  private registered(queued: readonly Pending[]): Pending[] {
    const { registry } = this.options;
    return queued.filter((p) => {
      if (p.records.every((r) => registry.get(r.id) === r)) return true;
      registry.release(p.created);
      p.reject(overloaded(1));
      return false;
    });
  }

  /**
   * Runs `work` between commits: once the commit in flight has settled, with none starting until it has.
   * For store changes that in-memory state must follow with no commit landing in between (a service
   * deleted, then forgotten by the registry), which a network store's await would otherwise let in. `work`
   * must not wait for a commit itself (`flush`): that one waits for it.
   */
  async between<T>(work: () => Promise<T>): Promise<T> {
    while (this.committing) await this.committing.catch(() => {});
    const running = work();
    this.committing = running
      .then(
        () => {},
        () => {},
      )
      .finally(() => {
        this.committing = null;
        if (this.pending.length > 0) this.schedule();
      });
    return running;
  }

  /** Refuses new requests, then commits what is queued. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}

/**
 * What a commit wrote, merged over its folds: the live seconds, the oldest second, dirty marks, intervals,
 * each service's oldest and newest times.
 */
function committed(batch: readonly Pending[]): Committed {
  const into: Committed = {
    seconds: new Map(),
    oldest: Number.POSITIVE_INFINITY,
    dirty: [],
    intervals: new Map(),
    serviceSeen: new Map(),
  };
  for (const fold of batch.flatMap((p) => p.folds)) {
    into.oldest = Math.min(into.oldest, fold.oldest);
    for (const [service, seen] of fold.serviceSeen) widenSeen(into.serviceSeen, service, seen);
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
  return into;
}
