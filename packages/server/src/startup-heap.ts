import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import type { Core } from './core.ts';

/** Start-up is over this long after listening and the last pending start-up job (the demo backfill). */
const AFTER_MS = 5_000;
/** The server is idle once this long has passed without a request from outside (probes and scrapes aside). */
const IDLE_AFTER_MS = 30_000;
/** The old generation may grow this far (percent) past what the last full collection kept, while idle. */
const IDLE_GROWING_PERCENT = 20;
/** Requests that do not end idleness: probes and Prometheus scrapes, which come all the time and cost nothing. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The value of a V8 flag given on the command line (`--name=value`), or undefined. */
function flagGiven(name: string): string | undefined {
  for (const arg of process.execArgv) if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  return undefined;
}

/**
 * Keeps the main thread's heap small while nothing but the in-process demo (or nothing at all) is running.
 *
 * Once start-up is over (listening, and the demo backfill written) one full collection frees its garbage.
 * From then on, while no request has come from outside for `IDLE_AFTER_MS`, V8 runs with
 * `--optimize-for-size` and a heap growing factor of `IDLE_GROWING_PERCENT`:
 * - its memory reducer starts otherwise only at a low allocation rate, which the live demo (~1.5 MB/s) never
 *   leaves it: the start-up collection's pages stayed committed for minutes (118 - 131 MiB resident where
 *   the reducer gets them back to ~100);
 * - the old generation grows to twice the live heap between full collections under `npm start`'s
 *   `--heap-growing-percent=100` (chosen for ingest); the demo promotes ~0.1 MB/s, so idle RSS was a
 *   saw-tooth of 102 - 127 MiB. At 20 % a full collection of the ~25 MiB heap comes every minute or so.
 * The first request from outside puts both flags back as given on the command line (V8 reads them when it
 * next sizes the heap), so ingest, queries and the decode workers (flags are per process) run as before.
 * docs/performance.md, 2026-12-04, "Idle memory with the demo on: fewer modules at start". `gc` is exposed at run time
 * (the flag set, then read from a new context), so `npm start` and the benches need no extra flag.
 */
export function watchIdleHeap(app: FastifyInstance, core: Core): void {
  const busyGrowing = flagGiven('heap-growing-percent') ?? '0';
  const sizeGiven = process.execArgv.includes('--optimize-for-size');
  let started = false;
  let idle = false;
  let lastRequest = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const setIdle = (on: boolean) => {
    idle = on;
    setFlagsFromString(`--heap-growing-percent=${on ? IDLE_GROWING_PERCENT : busyGrowing}`);
    if (!sizeGiven) setFlagsFromString(on ? '--optimize-for-size' : '--no-optimize-for-size');
  };
  const check = () => {
    if (!started) {
      if (core.pendingStartup.size > 0) {
        timer = setTimeout(check, AFTER_MS).unref();
        return;
      }
      started = true;
      setFlagsFromString('--expose-gc');
      (runInNewContext('gc') as () => void)();
    }
    const quietFor = Date.now() - lastRequest;
    if (quietFor >= IDLE_AFTER_MS) {
      setIdle(true);
      return;
    }
    timer = setTimeout(check, IDLE_AFTER_MS - quietFor).unref();
  };

  // A root hook, so this must run before the plugins with routes are registered.
  app.addHook('onRequest', async (request) => {
    if (QUIET_ROUTES.has(request.url)) return;
    lastRequest = Date.now();
    if (!idle) return;
    setIdle(false);
    timer = setTimeout(check, IDLE_AFTER_MS).unref();
  });
  app.addHook('onListen', async () => {
    timer = setTimeout(check, AFTER_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(timer);
    if (idle) setIdle(false);
  });
}
