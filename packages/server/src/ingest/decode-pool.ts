import { Worker } from 'node:worker_threads';
import { AppError, overloaded } from '../errors.ts';
import type { DecodeJob, DecodeResult, FoldContext, JobSpec } from './decode-worker.ts';
import type { PendingCumulative } from './otlp/convert.ts';
import type { Delta } from './otlp/cumulative.ts';

type Decoded = Extract<DecodeResult, { ok: true }>;

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
    // Move rather than copy when the body owns its whole buffer (large bodies do).
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    return this.run({ kind: 'native', body, context }, body.length, owned ? [body.buffer as ArrayBuffer] : []);
  }

  /** An OTLP export body, copied: the caller keeps it (see OtlpIngest's fallback). */
  otlp(body: Buffer, contentType: string, context: FoldContext): Promise<Decoded> {
    return this.run({ kind: 'otlp', body, contentType, context }, body.length, []);
  }

  /** Deltas of cumulative OTLP points, to fold. They are small next to the body they came from. */
  otlpDeltas(deltas: Delta<PendingCumulative>[], context: FoldContext): Promise<Decoded> {
    return this.run({ kind: 'otlp-deltas', deltas, context }, 0, []);
  }

  private run(job: JobSpec, bytes: number, transfer: ArrayBuffer[]): Promise<Decoded> {
    if (this.queuedBytes > 0 && this.queuedBytes + bytes > this.maxQueuedBytes) {
      return Promise.reject(overloaded(1));
    }
    const id = this.nextId++;
    const slot = id % this.slots.length;
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

  /** Worker `slot`, started on first use and again after it died (a body past its memory limit, say). */
  private spawned(slot: number): Worker {
    const state = this.slots[slot]!;
    if (state.worker) return state.worker;
    // Parsing a 16 MiB body needs a few hundred MB at most; the cap keeps a hostile body from growing the
    // process without bound: the worker dies, its requests fail with 500, and the next one starts afresh.
    const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
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
    if (result.ok) waiting.resolve(result);
    else waiting.reject(new AppError(result.code, result.message));
  }
}
