import type { DirtyBuckets } from '../aggregate/dirty-buckets.ts';
import type { ReportIntervals } from '../aggregate/report-intervals.ts';
import type { SeriesRegistry } from '../aggregate/series-registry.ts';
import type { Config } from '../config.ts';
import type { Downtime } from '../downtime.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS } from '../model.ts';
import type { ServiceRecord, Store } from '../store/store.ts';
import type { QueryLimits } from './cost.ts';
import type { ServiceCatalog } from './service-catalog.ts';
import { ceilTo, type Held } from './steps.ts';

/** What every query needs: the store, the series index, the clock and what each tier holds. */
export interface QueryContext {
  store: Store;
  registry: SeriesRegistry;
  config: Readonly<Config>;
  now: () => number;
  /** Per tier, the oldest bucket ever written: a backfill skips fine tiers for old time, so older parts
   * of a range come from coarser tiers. */
  tierSince: number[];
  /** Coarse buckets waiting to be rebuilt: queries read those from the finer tier, the rest as rebuilt. */
  dirty: DirtyBuckets;
  /** What one read may cost before it is refused. */
  limits: QueryLimits;
  /** How often each service reports: a read's step is never shorter than what it reads. */
  intervals: ReportIntervals;
  /** The services the store knows, kept current by commits. */
  services: ServiceCatalog;
  /** When the server was not running: a bucket of that time without data is no data, not a quiet service. */
  downtime: Downtime;
}

/**
 * Parts of a tier read from the finer one at most: each splits a read in two more per service, and an import
 * can leave thousands of scattered dirty buckets (each service's history in turn).
 */
const MAX_STALE_SPANS = 16;

/**
 * Oldest time each tier holds now, for planning reads. A tier counts as holding everything when no
 * coarser tier holds anything older (live writes reach every tier at once), so reads fall back to a
 * coarser tier only where it really has more: past a finer tier's retention, or a backfill's history.
 */
export function heldRanges(ctx: QueryContext, now: number): Held {
  const stale = TIER_RESOLUTIONS.map((res, tier) =>
    tier >= MATERIALIZED_FROM ? ctx.dirty.spans(tier, res, MAX_STALE_SPANS) : [],
  );
  return { from: holdsFrom(ctx, now), stale };
}

function holdsFrom(ctx: QueryContext, now: number): number[] {
  // From the first whole bucket: retention deletes a bucket that starts before its cut-off.
  const held = TIER_RESOLUTIONS.map((res, i) =>
    ceilTo(Math.max(now - ctx.config.retentionMs[i]!, ctx.tierSince[i]!), res),
  );
  let oldestCoarser = Number.POSITIVE_INFINITY;
  for (let i = held.length - 1; i >= 0; i--) {
    const own = held[i]!;
    if (oldestCoarser >= own) held[i] = Number.NEGATIVE_INFINITY;
    oldestCoarser = Math.min(oldestCoarser, own);
  }
  return held;
}

/** Services active now (seen within the inactivity period), by name. */
export async function activeServices(ctx: QueryContext, now: number): Promise<string[]> {
  return activeAmong(await ctx.services.list(), ctx, now);
}

/** Of these services, those seen within the inactivity period, by name. */
export const activeAmong = (records: readonly ServiceRecord[], ctx: QueryContext, now: number): string[] =>
  records.filter((s) => now - s.lastSeen <= ctx.config.inactiveAfterMs).map((s) => s.name);

/** Seconds of [t, t + step) that lie inside [from, to) and are not in the future. */
export function bucketSeconds(t: number, step: number, from: number, to: number, now: number): number {
  const start = Math.max(t, from);
  const end = Math.min(t + step, to, Math.max(now, start));
  return Math.max(0, end - start) / 1000;
}
