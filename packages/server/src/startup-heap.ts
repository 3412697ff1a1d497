import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import type { Core } from './core.ts';

/** Start-up is over this long after listening and the last pending start-up job (the demo backfill). */
const AFTER_MS = 5_000;
/**
 * At most this long V8 optimizes for size after the collection: its memory reducer starts 8 s after a full
 * collection (`--gc-memory-reducer-start-delay-ms`), again 8 s later if marking was already running.
 */
const REDUCE_FOR_MS = 30_000;
/** A new space this large was grown by a burst (the backfill); the reducer shrinks it to 1 - 2 MiB. */
const GROWN_NEW_SPACE = 8 * 2 ** 20;

const newSpaceBytes = (): number =>
  getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/**
 * Once start-up is over, gives back the memory V8 grew for it. V8 keeps its new space at the size a burst of
 * allocation grew it to (2 x 16 MiB after the demo's backfill) and its old space committed up to twice what
 * the last full collection kept, and an idle server does not collect again for a long while: with the demo
 * on, ~208 MiB resident of which ~26 MiB live heap. One full collection, once, frees the old space's garbage;
 * but only a memory-reducing collection (the memory reducer's, or a heap snapshot's) shrinks the new space and
 * returns freed pages, and the reducer starts only at a low allocation rate, which the live demo's traffic on
 * a loaded machine never leaves it. Optimizing for size, for a while, lets it start whatever the rate
 * (docs/performance.md, "Idle memory with the demo on"). `gc` is exposed at run time (the flag set, then read
 * from a new context), so `npm start` and the benches need no extra flag; the inspector's
 * HeapProfiler.collectGarbage, asked for in process, never answered and stopped the main thread.
 */
export function releaseStartupHeap(app: FastifyInstance, core: Core): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    if (core.pendingStartup.size > 0) {
      timer = setTimeout(check, AFTER_MS).unref();
      return;
    }
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    if (newSpaceBytes() < GROWN_NEW_SPACE) return;
    // Only until the reducer has run: meanwhile V8 collects more often, which ingest would pay for.
    setFlagsFromString('--optimize-for-size');
    const until = Date.now() + REDUCE_FOR_MS;
    const reduced = () => {
      if (newSpaceBytes() < GROWN_NEW_SPACE || Date.now() > until) setFlagsFromString('--no-optimize-for-size');
      else timer = setTimeout(reduced, 1_000).unref();
    };
    timer = setTimeout(reduced, 1_000).unref();
  };
  app.addHook('onListen', async () => {
    timer = setTimeout(check, AFTER_MS).unref();
  });
  app.addHook('onClose', async () => clearTimeout(timer));
}
