import { Session } from 'node:inspector';
import type { FastifyInstance } from 'fastify';
import type { Core } from './core.ts';

/** Start-up is over this long after listening and the last pending start-up job (the demo backfill). */
const AFTER_MS = 5_000;

/**
 * Once start-up is over, gives back the memory V8 grew for it. V8 keeps its new space at the size a burst of
 * allocation grew it to (2 x 16 MiB after the demo's backfill) and its old space committed up to twice what
 * the last full collection kept, and an idle server does not collect again for a long while: with the demo
 * on, 208 MiB resident of which ~26 MiB live heap. A low-memory collection (the one a heap snapshot makes,
 * asked for through the in-process inspector: Node has no other call for it) took that to 135 MiB
 * (docs/performance.md). One full collection, once.
 */
export function releaseStartupHeap(app: FastifyInstance, core: Core): void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    if (core.pendingStartup.size > 0) {
      timer = setTimeout(check, AFTER_MS).unref();
      return;
    }
    const session = new Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', () => session.disconnect());
  };
  app.addHook('onListen', async () => {
    timer = setTimeout(check, AFTER_MS).unref();
  });
  app.addHook('onClose', async () => clearTimeout(timer));
}
