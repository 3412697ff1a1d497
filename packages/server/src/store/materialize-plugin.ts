import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import type { DirtyMark } from '../aggregate/dirty-buckets.ts';
import type { Core } from '../core.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { runPeriodically } from './periodic.ts';
import { doesUpkeep, syncDirtyMarks } from './upkeep.ts';

const EVERY_MS = 1_000;
/** A bucket is rebuilt once it has been closed this long: time for requests in flight to commit. */
const SETTLE_MS = 1_000;
/** Series per transaction: small enough that live frames are never held up for long. */
const CHUNK = 500;
/**
 * Rebuild work per tick at most (ms, checked between rebuilds): a large backlog (an import of history) takes
 * at most half of each second, and between its transactions ingest and queries run anyway. A week's
 * import is ~150 runs of a few ms each on a quiet machine (docs/performance.md).
 */
const TICK_BUDGET_MS = 500;
/**
 * Consecutive dirty buckets are rebuilt in one pass up to this many tier-below buckets per series (10
 * minutes from 10 s rows, 1 hour from 1 min rows): each pass costs a seek per series and a transaction per
 * chunk, so an import's day of minutes is 144 passes, not 1,440; bounded so that a transaction stays short.
 */
const RUN_SOURCE_BUCKETS = 60;
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
    const built = await rebuildDirtyBuckets(core, { budgetMs: TICK_BUDGET_MS, stopped, quietMs: QUIET_MS });
    if (built > 0) app.log.debug({ built }, 'rebuilt coarse buckets');
  });
};

/**
 * Rebuilds dirty closed buckets, finer tiers first (an hour is rebuilt from its minutes only once none of
 * them is dirty) and within a tier the newest first (after an import, the last hours the page shows by
 * default are read from their rebuilt buckets soonest: a read takes only dirty buckets from the finer tier),
 * skipping those written to within the last `quietMs` (for at most MAX_DEFER_MS), until
 * `budgetMs` of wall time is spent. Each part replaces its rows, so a rebuild cut short is simply done
 * again; a mark is cleared only when every part is written and no newer data arrived meanwhile. Returns
 * the buckets rebuilt.
 */
export async function rebuildDirtyBuckets(
  core: Core,
  {
    budgetMs = Number.POSITIVE_INFINITY,
    stopped = () => false,
    quietMs = 0,
  }: { budgetMs?: number; stopped?: () => boolean; quietMs?: number } = {},
): Promise<number> {
  // Where the store is shared: the marks of every instance, each with the count this pass clears it by.
  await syncDirtyMarks(core);
  const started = performance.now();
  let built = 0;
  const now = core.now();
  const settled = now - SETTLE_MS;
  for (let tier = MATERIALIZED_FROM; tier < TIER_RESOLUTIONS.length; tier++) {
    const res = TIER_RESOLUTIONS[tier]!;
    const due = core.query.dirty
      .list(tier, settled - res)
      .filter(
        ({ t, first, last }) =>
          (now - last >= quietMs || now - first >= MAX_DEFER_MS) &&
          !(tier > MATERIALIZED_FROM && core.query.dirty.has(tier - 1, t, t + res)),
      );
    const maxRun = Math.max(1, Math.floor(RUN_SOURCE_BUCKETS / (res / TIER_RESOLUTIONS[tier - 1]!)));
    for (const run of runs(due, res, maxRun).reverse()) {
      if (performance.now() - started >= budgetMs || stopped()) return built;
      await rebuild(core, tier as TierIndex, run[0]!.t, run.at(-1)!.t + res, stopped);
      if (stopped()) return built;
      // Between commits: one landing while the stored marks are being cleared would lose its own mark of
      // these buckets from the store (a restart would not rebuild them), though it is kept in memory.
      await core.aggregator.between(async () => {
        for (const { t, version, stored } of run)
          if (core.query.dirty.clear(tier, t, version)) await core.store.markBuilt(tier as TierIndex, t, stored);
      });
      built += run.length;
    }
  }
  return built;
}

/** Splits marks (oldest first) into runs of consecutive buckets, at most `max` each. */
function runs(marks: readonly DirtyMark[], res: number, max: number): DirtyMark[][] {
  const out: DirtyMark[][] = [];
  for (const mark of marks) {
    const run = out.at(-1);
    if (run && run.length < max && run.at(-1)!.t + res === mark.t) run.push(mark);
    else out.push([mark]);
  }
  return out;
}

async function rebuild(core: Core, tier: TierIndex, from: number, to: number, stopped: () => boolean): Promise<void> {
  // Commit what is queued first, so the tier below is complete for this bucket.
  await core.aggregator.flush();
  let maxId = 0;
  for (const record of core.registry.all()) maxId = Math.max(maxId, record.id);
  for (let fromId = 0; fromId <= maxId; fromId += CHUNK) {
    if (stopped()) return;
    await core.store.buildBuckets(tier, from, to, { kind: 'series', fromId, toId: fromId + CHUNK });
    await nextTurn();
  }
  await core.aggregator.flush();
  await core.store.buildBuckets(tier, from, to, { kind: 'red' });
}
