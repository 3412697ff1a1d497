import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import type { Core } from './core.ts';

/** Start-up is over this long after listening and the last pending start-up job (the demo backfill). */
const AFTER_MS = 5_000;

/**
 * Once start-up is over, gives back the memory V8 grew for it. V8 keeps its new space at the size a burst of
 * allocation grew it to (2 x 16 MiB after the demo's backfill) and its old space committed up to twice what
 * the last full collection kept, and an idle server does not collect again for a long while: with the demo
 * on, ~208 MiB resident of which ~26 MiB live heap. One full collection, once, took that to 133 - 137 MiB
 * (docs/performance.md). `gc` is exposed at run time (the flag set, then read from a new context), so
 * `npm start` and the benches need no extra flag; the inspector's HeapProfiler.collectGarbage, asked for in
 * process, never answered and stopped the main thread.
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
  };
  app.addHook('onListen', async () => {
    timer = setTimeout(check, AFTER_MS).unref();
  });
  app.addHook('onClose', async () => clearTimeout(timer));
}
