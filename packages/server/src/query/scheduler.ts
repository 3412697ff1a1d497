import { setImmediate as nextTurn } from 'node:timers/promises';
import { AppError } from '../errors.ts';
import type { QueryCost } from './cost.ts';

/**
 * A read written as steps: it yields its estimated cost once, before reading anything, then `undefined`
 * after each chunk it reads, so a caller can let other work run in between. Its return value is the answer.
 * Asynchronous because each chunk awaits the store.
 */
export type QuerySteps<T> = AsyncGenerator<QueryCost | undefined, T, void>;

/** Runs a read to its end without giving its turn away between chunks: for callers that need the whole answer (alert evaluation). */
export async function runToEnd<T>(steps: AsyncGenerator<unknown, T, void>): Promise<T> {
  for (;;) {
    const next = await steps.next();
    if (next.done) return next.value;
  }
}

export interface SchedulerOptions {
  /** Heavy reads running at once. All of them run on the main thread, so more than one adds no throughput. */
  maxRunning: number;
  /** Heavy reads waiting for a turn; past this a read is refused with 503 and Retry-After. */
  maxQueued: number;
  /** A heavy read gives the event loop back after this much work, so health checks, ingest
   * acknowledgements and live frames get their turn. */
  sliceMs: number;
  /** Rows plus points below which a read runs at once without yielding: the dashboard's usual reads. */
  heavyCost: number;
  onRefused?: () => void;
}

/**
 * Fair share of the main thread for reads. A light read runs at once. A heavy one waits for one of
 * `maxRunning` turns (a bounded queue; 503 past it) and then runs in slices of `sliceMs`, yielding to the
 * event loop between them: before this, eight concurrent reads of a day by route held `/healthz` for seconds.
 */
export class QueryScheduler {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions) {}

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(steps: QuerySteps<T>): Promise<T> {
    const first = await steps.next();
    if (first.done) return first.value;
    const cost = first.value;
    if (!cost || cost.rows + cost.series * cost.points < this.options.heavyCost) return await runToEnd(steps);
    await this.turn();
    try {
      return await this.slices(steps);
    } finally {
      // Hand the turn to the next waiting read directly, so `running` never drops below the truth.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async turn(): Promise<void> {
    if (this.running < this.options.maxRunning) {
      this.running++;
      return;
    }
    if (this.waiting.length >= this.options.maxQueued) {
      this.options.onRefused?.();
      throw new AppError(
        'PULSE_ERR_OVERLOADED',
        `${this.options.maxRunning + this.waiting.length} heavy reads are running or waiting (--query-queue ${this.options.maxQueued}); retry shortly`,
        { 'retry-after': '1' },
      );
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /**
   * Each chunk's store read is awaited; a store that answers at once (SQLite) settles in microtasks, which
   * never let the event loop run, so the loop still gets its turn only between slices.
   */
  private async slices<T>(steps: QuerySteps<T>): Promise<T> {
    let sliceStart = performance.now();
    for (;;) {
      const next = await steps.next();
      if (next.done) return next.value;
      if (performance.now() - sliceStart >= this.options.sliceMs) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
  }
}
