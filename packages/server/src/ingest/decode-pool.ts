import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { AppError, overloaded } from '../errors.ts';
import type { CumulativeState } from '../store/store.ts';
import type { CumulativeNotice, DecodeJob, DecodeResult, FoldContext, JobSpec } from './decode-worker.ts';

type Answered = Extract<DecodeResult, { ok: true }>;
type Decoded = Extract<Answered, { packed: unknown }>;

/**
 * The worker that gets every OTLP metrics export and keeps the cumulative series' last points: a series'
 * state and its next points meet there, in one message (see otlp/cumulative.ts).
 */
const OTLP_SLOT = 0;

export interface DecodePoolOptions {
  /** Body bytes that may wait for a worker; past them a request gets 503. */
  maxQueuedBytes: number;
  workers: number;
  /** A worker with nothing to do stops after this long. */
  idleMs?: number;
  /**
   * The stored state of the OTLP cumulative series, for the worker that keeps them when it starts; every
   * commit that carries state must be in it (commit what is queued first).
   */
  cumulativeState?: () => Promise<CumulativeState[]>;
  /**
   * Whether a cumulative series' points from an older start (another process sending it) count, against that
   * start's last point kept in the worker; false where instances share the store (see `CumulativeSeries`).
   */
  otherStarts?: boolean;
  /** Each worker's old-generation limit, MB (default 256, see `spawned`). */
  workerHeapMb?: number;
}

interface Waiting {
  resolve: (answered: Answered) => void;
  reject: (error: Error) => void;
  bytes: number;
  slot: number;
  /** Answered without waiting for a commit (see `foldsComing`). */
  unblocked: boolean;
}

interface Slot {
  worker: Worker | null;
  /** Jobs posted and not yet answered. */
  busy: number;
  /** Stops the worker once it has been idle for `idleMs`. */
  idleTimer: NodeJS.Timeout | null;
  /**
   * Settles once the worker has been sent its cumulative state (the OTLP slot): messages to it wait for
   * this, in the order they were posted, so none reaches the worker before the state it depends on.
   */
  ready: Promise<void> | null;
}

/**
 * Hands request bodies (native JSON, OTLP) to decode workers and returns them validated and folded.
 * Bounded: past `maxQueuedBytes` of bodies waiting, a request gets 503 instead of growing memory.
 * Workers start on first use (~0.25 s) and stop after `idleMs` without work, so a server that only runs
 * the in-process demo, or whose senders have gone quiet, does not keep ~27 MiB per worker resident.
 */
export class DecodePool {
  private readonly slots: Slot[];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Where the search for the least busy slot starts, turning with every unpinned job. */
  private turn = 0;
  private queuedBytes = 0;
  private unblockedJobs = 0;
  private closed = false;

  private readonly idleMs: number;

  constructor(private readonly options: DecodePoolOptions) {
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.slots = Array.from({ length: Math.max(1, options.workers) }, () => ({
      worker: null,
      busy: 0,
      idleTimer: null,
      ready: null,
    }));
  }

  /**
   * Native and trace jobs posted and not yet answered: their folds go to the aggregator as soon as they
   * come back. OTLP metrics jobs are not counted: one may wait for a commit (its cumulative series).
   */
  get foldsComing(): number {
    return this.unblockedJobs;
  }

  /** Workers running now. */
  get running(): number {
    return this.slots.filter((slot) => slot.worker !== null).length;
  }

  /** A native batch body. Its bytes move to the worker: the caller must not use `body` afterwards. */
  native(body: Buffer, context: FoldContext): Promise<Decoded> {
    return this.run({ kind: 'native', body, context }, body.length, movable(body));
  }

  /** The log records of an OTLP logs export (which is not stored), counted off the main thread. */
  async countLogs(body: Buffer, contentType: string): Promise<number> {
    const job: JobSpec = { kind: 'count-logs', body, contentType };
    const { count } = await this.run<Extract<Answered, { count: number }>>(job, body.length, movable(body));
    return count;
  }

  /**
   * An OTLP metrics export, to the worker that keeps the cumulative series. Its body moves there and comes
   * back with the result (`otlp.body`). `refused` names series to reject (see otlp/off-thread.ts). A result
   * with `otlp.states` holds those series until `settle` says whether they committed.
   */
  otlp(
    body: Buffer,
    contentType: string,
    context: FoldContext,
    refused?: ReadonlyMap<string, string>,
  ): Promise<Decoded> {
    const job: JobSpec = { kind: 'otlp', body, contentType, context, ...(refused ? { refused } : {}) };
    return this.run(job, body.length, movable(body), OTLP_SLOT);
  }

  /** Whether OTLP export `id`'s cumulative states committed (see `otlp`). */
  settle(id: number, committed: boolean): void {
    this.notify({ kind: 'settle', id, committed });
  }

  /**
   * Gives the worker that keeps the cumulative series their stored state, which another instance moved on
   * (see `StaleCumulativeError`). Sent before the export's `settle`, so it is in place when the series is free.
   */
  reloadCumulative(current: CumulativeState[], missing: string[]): void {
    this.notify({ kind: 'reload-cumulative', current, missing });
  }

  /** Drops cumulative series (already dropped from the store) from the worker that keeps them, if it runs. */
  forgetCumulative(forget: { service: string } | { before: number }): void {
    this.notify({ kind: 'forget-cumulative', forget });
  }

  /**
   * An OTLP trace export body, mapped to observations and folded; `metricServices` are the services whose
   * spans must not count as requests; `refused` names series whose spans to reject, as for `otlp`. The body
   * moves to the worker and comes back in `traces.body`.
   */
  traces(
    body: Buffer,
    contentType: string,
    context: FoldContext,
    metricServices: string[],
    refused?: ReadonlyMap<string, string>,
  ): Promise<Decoded> {
    const job: JobSpec = {
      kind: 'traces',
      body,
      contentType,
      context,
      metricServices,
      ...(refused ? { refused } : {}),
    };
    return this.run(job, body.length, movable(body));
  }

  private run<T extends Answered = Decoded>(
    job: JobSpec,
    bytes: number,
    transfer: ArrayBuffer[],
    pinned?: number,
  ): Promise<T> {
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.options.maxQueuedBytes) {
      return Promise.reject(overloaded(1));
    }
    const id = this.nextId++;
    const slot = pinned ?? this.leastBusy();
    const state = this.slots[slot]!;
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = null;
    state.busy++;
    this.queuedBytes += bytes;
    const unblocked = job.kind === 'native' || job.kind === 'traces';
    if (unblocked) this.unblockedJobs++;
    return new Promise((resolve, reject) => {
      // A job's answer has the shape of its kind's (see runJob).
      this.waiting.set(id, { resolve: resolve as (answered: Answered) => void, reject, bytes, slot, unblocked });
      const numbered: DecodeJob = { ...job, id };
      this.post(slot, numbered, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
  }

  /**
   * A notice to the OTLP worker that needs no answer. A worker that is not running has nothing to hear:
   * one that starts loads the state from the store.
   */
  private notify(notice: CumulativeNotice): void {
    if (this.slots[OTLP_SLOT]!.worker) this.post(OTLP_SLOT, notice, []);
  }

  /** Posts to worker `slot` (started if need be) once it is ready; see `Slot.ready`. */
  private post(slot: number, message: DecodeJob | CumulativeNotice, transfer: ArrayBuffer[]): void {
    const worker = this.spawned(slot);
    const { ready } = this.slots[slot]!;
    if (!ready) worker.postMessage(message, transfer);
    // A worker whose state failed to load is stopped; its exit rejects the jobs waiting on it.
    else
      void ready.then(
        () => worker.postMessage(message, transfer),
        () => {},
      );
  }

  /** The slot with the fewest jobs in hand; ties go round the slots, so idle workers share the load. */
  private leastBusy(): number {
    const n = this.slots.length;
    const from = this.turn++ % n;
    let best = from;
    for (let k = 1; k < n; k++) {
      const i = (from + k) % n;
      if (this.slots[i]!.busy < this.slots[best]!.busy) best = i;
    }
    return best;
  }

  /** Worker `slot`, started on first use and again after it died (a body past its memory limit, say). */
  private spawned(slot: number): Worker {
    const state = this.slots[slot]!;
    if (state.worker) return state.worker;
    // Parsing a 16 MiB body needs a few hundred MB at most; the cap keeps a hostile body from growing the
    // process without bound: the worker dies, its requests fail with 500, and the next one starts afresh.
    // The young generation holds a few requests' worth of short-lived objects: at 16 MiB most of a request
    // was still alive at each scavenge and got promoted, so old-space collections ran several times a
    // second; 32 MiB cut the server's CPU for the same OTLP ingest by ~10 % (peak RSS ~+20 MiB per worker).
    // `npm start` caps the main isolate's semi-spaces (scripts/start.sh); that flag would override this
    // worker's young generation too (measured: 1 MiB where 32 was asked), so it is cleared before each start.
    setFlagsFromString('--max-semi-space-size=0');
    const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.options.workerHeapMb ?? 256, maxYoungGenerationSizeMb: 32 },
    });
    const { cumulativeState, otherStarts = true } = this.options;
    state.ready =
      slot === OTLP_SLOT && cumulativeState
        ? cumulativeState().then(
            (rows) => worker.postMessage({ kind: 'load-cumulative', rows, otherStarts } satisfies CumulativeNotice),
            (error: unknown) => {
              void worker.terminate();
              throw error;
            },
          )
        : null;
    worker.on('message', (result: DecodeResult) => this.answered(result));
    // A worker past its memory limit emits 'error' (ERR_WORKER_OUT_OF_MEMORY) before 'exit': unheard, it
    // would end the whole process. 'exit' fails the jobs it had.
    worker.on('error', () => {});
    worker.on('exit', () => {
      if (state.worker === worker) {
        state.worker = null;
        state.busy = 0;
      }
      const failure = new Error('the decode worker stopped');
      for (const [id, waiting] of this.waiting) {
        if (waiting.slot !== slot) continue;
        this.forget(id, waiting);
        waiting.reject(failure);
      }
    });
    // Idle, the worker must not keep the process alive.
    worker.unref();
    if (!this.closed) state.worker = worker;
    return worker;
  }

  private answered(result: DecodeResult): void {
    const waiting = this.waiting.get(result.id);
    if (!waiting) return;
    this.forget(result.id, waiting);
    const state = this.slots[waiting.slot]!;
    if (--state.busy === 0 && !this.closed) {
      const worker = state.worker;
      state.idleTimer = setTimeout(() => {
        state.idleTimer = null;
        if (state.worker === worker && state.busy === 0) void worker?.terminate();
      }, this.idleMs);
      state.idleTimer.unref();
    }
    if (result.ok) waiting.resolve(result);
    else waiting.reject(new AppError(result.code, result.message));
  }

  private forget(id: number, waiting: Waiting): void {
    this.waiting.delete(id);
    this.queuedBytes -= waiting.bytes;
    if (waiting.unblocked) this.unblockedJobs--;
  }
}

/** Move rather than copy a body that owns its whole buffer (large bodies do; small ones share a pool). */
function movable(body: Buffer): ArrayBuffer[] {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : [];
}
