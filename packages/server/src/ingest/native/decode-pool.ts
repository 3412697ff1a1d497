import { Worker } from 'node:worker_threads';
import type { PackedFold } from '../../aggregate/packed.ts';
import { AppError, overloaded } from '../../errors.ts';
import type { IngestLimits } from './decode.ts';
import type { DecodeJob, DecodeResult } from './decode-worker.ts';

interface Waiting {
  resolve: (packed: PackedFold) => void;
  reject: (error: Error) => void;
  bytes: number;
  slot: number;
}

/**
 * Hands native request bodies to decode workers and returns them validated and folded. Bounded: past
 * `maxQueuedBytes` of bodies waiting, a request gets 503 instead of growing memory.
 */
export class DecodePool {
  private readonly workers: (Worker | null)[];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private queuedBytes = 0;
  private closed = false;

  constructor(
    private readonly limits: IngestLimits,
    private readonly maxQueuedBytes: number,
    size: number,
  ) {
    this.workers = Array.from({ length: Math.max(1, size) }, () => null);
  }

  decode(body: Buffer, now: number, liveFrom: number, directBefore: number[]): Promise<PackedFold> {
    if (this.queuedBytes > 0 && this.queuedBytes + body.length > this.maxQueuedBytes) {
      return Promise.reject(overloaded(1));
    }
    const id = this.nextId++;
    const slot = id % this.workers.length;
    const job: DecodeJob = { id, body, now, liveFrom, directBefore, limits: this.limits };
    // Move the bytes rather than copy them when the body owns its whole buffer (large bodies do).
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    this.queuedBytes += body.length;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, bytes: body.length, slot });
      this.spawned(slot).postMessage(job, owned ? [body.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker?.terminate()));
  }

  /** Worker `slot`, started on first use and again after it died (a body past its memory limit, say). */
  private spawned(slot: number): Worker {
    const running = this.workers[slot];
    if (running) return running;
    // Parsing a 16 MiB body needs a few hundred MB at most; the cap keeps a hostile body from growing the
    // process without bound: the worker dies, its requests fail with 500, and the next one starts afresh.
    const worker = new Worker(new URL('./decode-worker.mjs', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
    });
    worker.on('message', (result: DecodeResult) => this.settle(result));
    worker.on('exit', () => {
      if (this.workers[slot] === worker) this.workers[slot] = null;
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
    if (!this.closed) this.workers[slot] = worker;
    return worker;
  }

  private settle(result: DecodeResult): void {
    const waiting = this.waiting.get(result.id);
    if (!waiting) return;
    this.waiting.delete(result.id);
    this.queuedBytes -= waiting.bytes;
    if (result.ok) waiting.resolve(result.packed);
    else waiting.reject(new AppError(result.code, result.message));
  }
}
