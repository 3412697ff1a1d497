import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppError } from '../errors.ts';

/** How often (in units of work: values converted, buckets opened) the heap is looked at. */
const CHECK_EVERY = 4_096;
/** The share of its isolate's heap a request's decoding and folding may fill before it is refused. */
const HEAP_SHARE = 0.6;
/** Growth of the heap since the last forced collection before another is forced (see `spend`). */
const COLLECT_AFTER = 16 * 1024 ** 2;

/**
 * Refuses (413) the request being decoded or folded once its thread's heap passes `maxBytes`, after a full
 * collection says the memory is really held (by this request or by what the thread holds beside it: exports
 * waiting for their cumulative series, the series' state; both bounded elsewhere, and small beside this). Counting buckets bounds their number, not their size: a sketch spread from
 * wide explicit bounds (the JS SDK's 0 - 10,000 ms) takes ~5 KB, a counter's 60 s point 60 values, an
 * exponential one's each of 160 buckets 60 values. 40,000 such histogram points in a 15 MB export took a
 * decode worker past its heap within the bucket budget, and every other request on it was answered 500.
 */
export class HeapGuard {
  private work = 0;
  /** The heap right after the last collection this guard forced. */
  private collectedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxBytes: number,
    private readonly used: () => number = () => v8.getHeapStatistics().used_heap_size,
    private readonly collect: () => void = fullCollection,
  ) {}

  /** Notes `units` of work done; every CHECK_EVERY, refuses the request if the heap is past its bound. */
  spend(units: number): void {
    this.work += units;
    if (this.work < CHECK_EVERY) return;
    this.work = 0;
    const used = this.used();
    if (used <= this.maxBytes) return;
    // Much of it may be garbage not yet collected: refuse only what a collection leaves. Not again before the
    // heap has grown by COLLECT_AFTER since the last (the bound is passed by that much at most): a request
    // holding the heap just under its bound would otherwise force a full collection every CHECK_EVERY units.
    if (used - this.collectedAt < COLLECT_AFTER) return;
    this.collect();
    const after = this.used();
    // Held at the bound when it is past it: the next request then collects once 16 MiB past the bound, not
    // 16 MiB past what this one held (each refusal would raise the mark until the heap ran out).
    this.collectedAt = Math.min(after, this.maxBytes);
    if (after <= this.maxBytes) return;
    throw new AppError(
      'PULSE_ERR_BODY_TOO_LARGE',
      `body: its observations take more than ${Math.round(this.maxBytes / 1024 ** 2)} MiB to decode and fold, the most one request may; send them in smaller requests`,
    );
  }
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection, as `--expose-gc` gives it: the flag is set (for the new context that exposes
 * it) only when first needed, since every context and worker made after it gets a global `gc`.
 */
function fullCollection(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** The guard of this isolate (the main thread, or a decode worker): HEAP_SHARE of its own heap limit. */
export const requestHeap = new HeapGuard(HEAP_SHARE * v8.getHeapStatistics().heap_size_limit);
