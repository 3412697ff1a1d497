import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';

const EVERY_MS = 60_000;

/** Keeps disk use bounded: deletes each tier's buckets older than its retention, once a minute. */
export const retentionPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const run = () => {
    const now = core.now();
    const started = performance.now();
    const deleted = core.store.enforceRetention(core.config.retentionMs.map((ms) => now - ms));
    if (deleted > 0) app.log.debug({ deleted, ms: Math.round(performance.now() - started) }, 'retention');
  };
  run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
};
