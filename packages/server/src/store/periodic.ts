import type { FastifyInstance } from 'fastify';

/**
 * Runs a background job every `everyMs` (and once at start with `immediately`) for as long as the app runs:
 * a run never overlaps the one before it, and `stopped()` turns true on close so a long run can end early.
 */
export function runPeriodically(
  app: FastifyInstance,
  everyMs: number,
  job: (stopped: () => boolean) => Promise<void>,
  { immediately = false } = {},
): void {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await job(() => stopped);
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
