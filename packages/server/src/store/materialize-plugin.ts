import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';

const EVERY_MS = 10_000;
/** Late data this long after a bucket closed still lands before the bucket is built. */
const GRACE_MS = 2 * 60_000;
/** Series per transaction: small enough that live frames are never held up for long. */
const CHUNK = 500;

/** Builds each closed bucket of the tiers built at close (MATERIALIZED_FROM up) from the tier below. */
export const materializePlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      for (let tier = MATERIALIZED_FROM; tier < TIER_RESOLUTIONS.length && !stopped; tier++) {
        const res = TIER_RESOLUTIONS[tier]!;
        const to = Math.floor((core.now() - GRACE_MS) / res) * res;
        if (to > core.query.materializedUntil[tier]!)
          await buildClosedBuckets(core, tier as TierIndex, to, () => stopped);
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  app.addHook('onReady', async () => run());
  app.addHook('onClose', async () => {
    stopped = true;
    clearInterval(timer);
  });
};

/**
 * Builds `tier` from where it was built up to `to`, in small transactions with the event loop free in
 * between. Each part replaces its buckets, so a build cut short (a crash, a shutdown) is simply redone;
 * only when every part is written does the mark move and queries start reading those buckets.
 */
export async function buildClosedBuckets(
  core: Core,
  tier: TierIndex,
  to: number,
  stopped = () => false,
): Promise<void> {
  const from = core.query.materializedUntil[tier]!;
  // Commit what is queued first, so the tier below is complete for these buckets.
  core.aggregator.flush();
  let maxId = 0;
  for (const record of core.registry.all()) maxId = Math.max(maxId, record.id);
  for (let fromId = 0; fromId <= maxId; fromId += CHUNK) {
    if (stopped()) return;
    core.store.buildBuckets(tier, from, to, { kind: 'series', fromId, toId: fromId + CHUNK });
    await new Promise((resolve) => setImmediate(resolve));
  }
  core.aggregator.flush();
  core.store.buildBuckets(tier, from, to, { kind: 'red' });
  core.store.markMaterialized(tier, to);
  core.query.materializedUntil[tier] = to;
}
