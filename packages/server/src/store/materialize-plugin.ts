import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';

const EVERY_MS = 10_000;
/** Late data this long after a bucket closed still lands before the bucket is built. */
const GRACE_MS = 2 * 60_000;

/** Builds each closed bucket of the tiers built at close (MATERIALIZED_FROM up) from the tier below. */
export const materializePlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const run = () => {
    // Commit what is queued first, so the tier below is complete for the buckets about to be built.
    core.aggregator.flush();
    for (let tier = MATERIALIZED_FROM; tier < TIER_RESOLUTIONS.length; tier++) {
      const res = TIER_RESOLUTIONS[tier]!;
      const from = core.query.materializedUntil[tier]!;
      const to = Math.floor((core.now() - GRACE_MS) / res) * res;
      if (to <= from) continue;
      const started = performance.now();
      core.store.materialize(tier as TierIndex, from, to);
      core.query.materializedUntil[tier] = to;
      app.log.debug({ tier, from, to, ms: Math.round(performance.now() - started) }, 'built closed buckets');
    }
  };
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  app.addHook('onReady', async () => run());
  app.addHook('onClose', async () => clearInterval(timer));
};
