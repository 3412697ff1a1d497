import type { SeriesRegistry } from '../aggregate/series-registry.ts';
import type { Config } from '../config.ts';
import { TIER_RESOLUTIONS } from '../model.ts';
import type { Store } from '../store/store.ts';

/** What every query needs: the store, the series index, the clock and what each tier holds. */
export interface QueryContext {
  store: Store;
  registry: SeriesRegistry;
  config: Readonly<Config>;
  now: () => number;
  /** When the 1 s tier started receiving live data; older seconds only exist in coarser tiers. */
  liveSince: number;
}

/** Oldest time each tier holds now. */
export function holdsFrom(ctx: QueryContext, now: number): number[] {
  return TIER_RESOLUTIONS.map((_, i) => {
    const byRetention = now - ctx.config.retentionMs[i]!;
    return i === 0 ? Math.max(byRetention, ctx.liveSince) : byRetention;
  });
}

/** Services active now (seen within the inactivity period), by name. */
export function activeServices(ctx: QueryContext, now: number): string[] {
  return ctx.store
    .services()
    .filter((s) => now - s.lastSeen <= ctx.config.inactiveAfterMs)
    .map((s) => s.name);
}

/** Seconds of [t, t + step) that lie inside [from, to) and are not in the future. */
export function bucketSeconds(t: number, step: number, from: number, to: number, now: number): number {
  const start = Math.max(t, from);
  const end = Math.min(t + step, to, Math.max(now, start));
  return Math.max(0, end - start) / 1000;
}

export const round = (value: number | null, digits = 3): number | null =>
  value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
