import type { FastifyInstance } from 'fastify';

/** A job failing the same way is logged again after this long, not on every tick. */
const RELOG_MS = 60_000;

/**
 * Runs a background job every `everyMs` (and once at start with `immediately`) for as long as the app runs:
 * a run never overlaps the one before it, and `stopped()` turns true on close so a long run can end early.
 * A run that throws is logged and tried again next tick: left unhandled, the rejection would end the process.
 */
export function runPeriodically(
  app: FastifyInstance,
  name: string,
  everyMs: number,
  job: (stopped: () => boolean) => Promise<void>,
  { immediately = false } = {},
): void {
  let running = false;
  let stopped = false;
  let lastFailure = { message: '', at: Number.NEGATIVE_INFINITY };
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await job(() => stopped);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const at = Date.now();
      if (message !== lastFailure.message || at - lastFailure.at >= RELOG_MS) {
        app.log.error({ err: error }, `${name} failed; trying again every ${everyMs} ms`);
        lastFailure = { message, at };
      }
    } finally {
      running = false;
    }
  };
  if (immediately) void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
  });
}
