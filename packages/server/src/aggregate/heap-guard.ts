import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppError } from '../errors.ts';

/** How often (in units of work: values converted, buckets opened) the heap is looked at. */
const CHECK_EVERY = 4_096;
/** The share of its isolate's heap a request's decoding and folding may fill before it is refused. */
const HEAP_SHARE = 0.6;

/**
 * Refuses (413) the request being decoded or folded once the heap passes `maxBytes`, after a full collection
 * says the memory is really held. Counting buckets bounds their number, not their size: a sketch spread from
 * wide explicit bounds (the JS SDK's 0 - 10,000 ms) takes ~5 KB, a counter's 60 s point 60 values, an
 * exponential one's each of 160 buckets 60 values. 40,000 such histogram points in a 15 MB export took a
 * decode worker past its heap within the bucket budget, and every other request on it was answered 500.
 */
export class HeapGuard {
  private work = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly used: () => number = () => v8.getHeapStatistics().used_heap_size,
    private readonly collect: () => void = fullCollection(),
  ) {}

  /** Notes `units` of work done; every CHECK_EVERY, refuses the request if the heap is past its bound. */
  spend(units: number): void {
    this.work += units;
    if (this.work < CHECK_EVERY) return;
    this.work = 0;
    if (this.used() <= this.maxBytes) return;
    // Much of it may be garbage not yet collected: refuse only what a collection leaves.
    this.collect();
    if (this.used() <= this.maxBytes) return;
    throw new AppError(
      'PULSE_ERR_BODY_TOO_LARGE',
      `body: its observations take more than ${Math.round(this.maxBytes / 1024 ** 2)} MiB to decode and fold, the most one request may; send them in smaller requests`,
    );
  }
}

/** A full garbage collection, as `--expose-gc` gives it (set here, for the new context that exposes it). */
function fullCollection(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** The guard of this isolate (the main thread, or a decode worker): HEAP_SHARE of its own heap limit. */
export const requestHeap = new HeapGuard(HEAP_SHARE * v8.getHeapStatistics().heap_size_limit);
