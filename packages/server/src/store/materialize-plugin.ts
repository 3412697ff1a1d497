import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { runPeriodically } from './periodic.ts';
import { doesUpkeep, syncDirtyMarks } from './upkeep.ts';

const EVERY_MS = 1_000;
/** A bucket is rebuilt once it has been closed this long: time for requests in flight to commit. */
const SETTLE_MS = 1_000;
/** Series per transaction: small enough that live frames are never held up for long. */
const CHUNK = 500;
/** Buckets rebuilt per tick at most, so a large backlog (an import of history) spreads over ticks. */
const PER_TICK = 30;
/**
 * A bucket still being written is rebuilt once writes to it pause this long: an import that sends each
 * service's history in turn touches every closed minute once per service, and each touch rebuilt all of its
 * series again (most of the main thread's time beside SQLite writes in `bench/otlp.ts`). Queries read the
 * finer tier for a bucket until it is rebuilt, so waiting changes no answer.
 */
const QUIET_MS = 2_000;
/** ...but not longer than this after it was first marked, so a bucket written without pause still settles. */
const MAX_DEFER_MS = 60_000;

/**
 * Rebuilds closed coarse buckets (MATERIALIZED_FROM up) that have new data in the tier below; in a cluster
 * sharing one store, only the upkeep lease holder does, and every instance follows the stored marks.
 */
export const materializePlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  runPeriodically(app, 'rebuilding coarse buckets', EVERY_MS, async (stopped) => {
    if (!doesUpkeep(core)) return syncDirtyMarks(core);
    const built = await rebuildDirtyBuckets(core, { limit: PER_TICK, stopped, quietMs: QUIET_MS });
    if (built > 0) app.log.debug({ built }, 'rebuilt coarse buckets');
  });
};

/**
 * Rebuilds dirty closed buckets, finer tiers first (an hour is rebuilt from its minutes only once none of
 * them is dirty), skipping those written to within the last `quietMs` (for at most MAX_DEFER_MS). Each part
 * replaces its rows, so a rebuild cut short is simply done again; the mark is cleared only when every part
 * is written and no newer data arrived meanwhile.
 */
export async function rebuildDirtyBuckets(
  core: Core,
  {
    limit = Number.POSITIVE_INFINITY,
    stopped = () => false,
    quietMs = 0,
  }: { limit?: number; stopped?: () => boolean; quietMs?: number } = {},
): Promise<number> {
  // Where the store is shared: the marks of every instance, each with the count this pass clears it by.
  await syncDirtyMarks(core);
  let built = 0;
  const now = core.now();
  const settled = now - SETTLE_MS;
  for (let tier = MATERIALIZED_FROM; tier < TIER_RESOLUTIONS.length; tier++) {
    const res = TIER_RESOLUTIONS[tier]!;
    for (const { t, version, first, last, stored } of core.query.dirty.list(tier, settled - res)) {
      if (built >= limit || stopped()) return built;
      if (now - last < quietMs && now - first < MAX_DEFER_MS) continue;
      if (tier > MATERIALIZED_FROM && core.query.dirty.has(tier - 1, t, t + res)) continue;
      await rebuild(core, tier as TierIndex, t, t + res, stopped);
      if (stopped()) return built;
      // Between commits: one landing while the stored mark is being cleared would lose its own mark of this
      // bucket from the store (a restart would not rebuild it), though it is kept in memory.
      await core.aggregator.between(async () => {
        if (core.query.dirty.clear(tier, t, version)) await core.store.markBuilt(tier as TierIndex, t, stored);
      });
      built++;
    }
  }
  return built;
}

async function rebuild(core: Core, tier: TierIndex, from: number, to: number, stopped: () => boolean): Promise<void> {
  // Commit what is queued first, so the tier below is complete for this bucket.
  await core.aggregator.flush();
  let maxId = 0;
  for (const record of core.registry.all()) maxId = Math.max(maxId, record.id);
  for (let fromId = 0; fromId <= maxId; fromId += CHUNK) {
    if (stopped()) return;
    await core.store.buildBuckets(tier, from, to, { kind: 'series', fromId, toId: fromId + CHUNK });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await core.aggregator.flush();
  await core.store.buildBuckets(tier, from, to, { kind: 'red' });
}
