import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { runPeriodically } from './periodic.ts';
import { doesUpkeep } from './upkeep.ts';

const EVERY_MS = 60_000;
/** Series per transaction: small enough that live frames are never held up for long. */
const CHUNK = 500;

/**
 * Keeps disk use bounded: deletes each tier's buckets older than its retention, once a minute (in a cluster
 * sharing one store, only the upkeep lease holder).
 */
export const retentionPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  runPeriodically(
    app,
    'retention',
    EVERY_MS,
    async (stopped) => {
      if (!doesUpkeep(core)) return;
      const deleted = await enforceRetention(core, stopped);
      if (deleted > 0) app.log.debug({ deleted }, 'retention');
    },
    { immediately: true },
  );
};

/** One pass over every tier, in small transactions with the event loop free in between. */
export async function enforceRetention(core: Core, stopped: () => boolean = () => false): Promise<number> {
  const now = core.now();
  const ids = [...core.registry.all()].map((r) => r.id);
  const services = (await core.store.services()).map((s) => s.name);
  let deleted = 0;
  for (let tier = 0; tier < TIER_RESOLUTIONS.length; tier++) {
    const cutoff = now - core.config.retentionMs[tier]!;
    for (let i = 0; i === 0 || i < ids.length; i += CHUNK) {
      if (stopped()) return deleted;
      deleted += await core.store.expire(tier as TierIndex, cutoff, ids.slice(i, i + CHUNK), i === 0 ? services : []);
      await nextTurn();
    }
  }
  return deleted;
}
