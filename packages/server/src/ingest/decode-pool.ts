import { Worker } from 'node:worker_threads';
import { AppError, overloaded } from '../errors.ts';
import type { DecodeJob, DecodeResult, FoldContext, JobSpec } from './decode-worker.ts';
import type { Decisions } from './otlp/cumulative.ts';

/** A job's answer, with the worker slot that ran it (OTLP cumulative points stay there until decided). */
type Decoded = Extract<DecodeResult, { ok: true }> & { slot: number };

interface Waiting {
  resolve: (decoded: Decoded) => void;
  reject: (error: Error) => void;
  bytes: number;
  slot: number;
}

interface Slot {
  worker: Worker | null;
  /** Jobs posted and not yet answered. */
  busy: number;
  /** Stops the worker once it has been idle for `idleMs`. */
  idleTimer: NodeJS.Timeout | null;
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
  private closed = false;

  constructor(
    private readonly maxQueuedBytes: number,
    size: number,
    private readonly idleMs = 5 * 60_000,
  ) {
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ worker: null, busy: 0, idleTimer: null }));
  }

  /** Workers running now. */
  get running(): number {
    return this.slots.filter((slot) => slot.worker !== null).length;
  }

  /** A native batch body. Its bytes move to the worker: the caller must not use `body` afterwards. */
  native(body: Buffer, context: FoldContext): Promise<Decoded> {
    return this.run({ kind: 'native', body, context }, body.length, movable(body));
  }

  /** An OTLP export body. Its bytes move to the worker, which hands them back with the result (`otlp.body`). */
  otlp(body: Buffer, contentType: string, context: FoldContext): Promise<Decoded> {
    return this.run({ kind: 'otlp', body, contentType, context }, body.length, movable(body));
  }

  /**
   * An OTLP trace export body, mapped to observations and folded; `metricServices` are the services whose
   * spans must not count as requests. The body moves to the worker and comes back in `traces.body`.
   */
  traces(body: Buffer, contentType: string, context: FoldContext, metricServices: string[]): Promise<Decoded> {
    return this.run({ kind: 'traces', body, contentType, context, metricServices }, body.length, movable(body));
  }

  /**
   * Folds the cumulative points of OTLP request `ref` (kept by the worker in `slot`) as decided, and encodes
   * the values of the points in `finals` as states to store (`states`).
   */
  otlpCumulative(
    slot: number,
    ref: number,
    decisions: Decisions,
    finals: number[],
    context: FoldContext,
  ): Promise<Decoded> {
    return this.run({ kind: 'otlp-cumulative', ref, decisions, finals, context }, 0, [], slot);
  }

  private run(job: JobSpec, bytes: number, transfer: ArrayBuffer[], pinned?: number): Promise<Decoded> {
    // Jobs without a body (the second half of an admitted OTLP request) are never refused.
    if (bytes > 0 && this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) {
      return Promise.reject(overloaded(1));
    }
    const id = this.nextId++;
    const slot = pinned ?? this.leastBusy();
    const state = this.slots[slot]!;
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = null;
    state.busy++;
    this.queuedBytes += bytes;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, bytes, slot });
      const numbered: DecodeJob = { ...job, id };
      this.spawned(slot).postMessage(numbered, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.slots) if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await Promise.all(this.slots.map((slot) => slot.worker?.terminate()));
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
    const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    worker.on('message', (result: DecodeResult) => this.settle(result));
    worker.on('exit', () => {
      if (state.worker === worker) {
        state.worker = null;
        state.busy = 0;
      }
      const failure = new Error('the decode worker stopped');
      for (const [id, waiting] of this.waiting) {
        if (waiting.slot !== slot) continue;
        this.waiting.delete(id);
        this.queuedBytes -= waiting.bytes;
        waiting.reject(failure);
      }
    });
    // Idle, the worker must not keep the process alive.
    worker.unref();
    if (!this.closed) state.worker = worker;
    return worker;
  }

  private settle(result: DecodeResult): void {
    const waiting = this.waiting.get(result.id);
    if (!waiting) return;
    this.waiting.delete(result.id);
    this.queuedBytes -= waiting.bytes;
    const state = this.slots[waiting.slot]!;
    if (--state.busy === 0 && !this.closed) {
      const worker = state.worker;
      state.idleTimer = setTimeout(() => {
        state.idleTimer = null;
        if (state.worker === worker && state.busy === 0) void worker?.terminate();
      }, this.idleMs);
      state.idleTimer.unref();
    }
    if (result.ok) waiting.resolve({ ...result, slot: waiting.slot });
    else waiting.reject(new AppError(result.code, result.message));
  }
}

/** Move rather than copy a body that owns its whole buffer (large bodies do; small ones share a pool). */
function movable(body: Buffer): ArrayBuffer[] {
  return body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? [body.buffer as ArrayBuffer] : [];
}
