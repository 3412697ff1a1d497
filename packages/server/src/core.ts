import { Aggregator } from './aggregate/aggregator.ts';
import { SeriesRegistry } from './aggregate/series-registry.ts';
import { type Bus, createLocalBus } from './bus/bus.ts';
import type { Config } from './config.ts';
import { SecondWindow } from './live/second-window.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { MATERIALIZED_FROM, TIER_RESOLUTIONS, type TierIndex } from './model.ts';
import type { QueryContext } from './query/context.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';

/** The server's long-lived parts, built once per app and closed with it. */
export interface Core {
  config: Readonly<Config>;
  now: () => number;
  store: Store;
  /** Alert rules, episodes, silences: same database, same connection. */
  registry: SeriesRegistry;
  aggregator: Aggregator;
  bus: Bus;
  window: SecondWindow;
  query: QueryContext;
  metrics: Metrics;
  /** Start-up work still running (the demo backfill); /readyz waits for it. */
  pendingStartup: Set<string>;
}

const tierSinceKey = (tier: number) => `tier_since_${tier}`;

export function createCore(config: Readonly<Config>, now: () => number): Core {
  const store = openSqliteStore(config.db);
  const registry = new SeriesRegistry(store.loadSeries(), config.maxSeriesPerService);
  const bus = createLocalBus();
  const window = new SecondWindow();
  const metrics = createMetrics();
  const query: QueryContext = {
    store,
    registry,
    config,
    now,
    tierSince: TIER_RESOLUTIONS.map((_, i) => Number(store.getMeta(tierSinceKey(i)) ?? Number.POSITIVE_INFINITY)),
    materializedUntil: TIER_RESOLUTIONS.map((res, tier) => {
      if (tier < MATERIALIZED_FROM) return Number.POSITIVE_INFINITY;
      const built = store.materializedUntil(tier as TierIndex);
      if (built !== null) return built;
      // First start: everything before the current bucket counts as built (there is nothing, or a
      // backfill writes it directly); the current bucket is built when it closes.
      const start = Math.floor(now() / res) * res;
      store.markMaterialized(tier as TierIndex, start);
      return start;
    }),
  };
  const aggregator = new Aggregator({
    store,
    registry,
    maxPendingObservations: config.maxPendingObservations,
    liveFrom: () => window.openFrom,
    materializedUntil: () => query.materializedUntil,
    onCommitted: (folded, stats) => {
      window.add(folded.seconds);
      // Live writes reach every tier.
      for (let tier = 0; tier < TIER_RESOLUTIONS.length; tier++) noteTierWritten(core, tier, folded.oldest);
      metrics.ingested.inc(stats.observations);
      metrics.storeWrite.observe(stats.writeMs / 1000);
    },
  });
  const core: Core = {
    config,
    now,
    store,
    registry,
    aggregator,
    bus,
    window,
    metrics,
    query,
    pendingStartup: new Set(),
  };
  return core;
}

/** Records that `tier` now holds data from `t` on, so queries read it there. */
export function noteTierWritten(core: Core, tier: number, t: number): void {
  if (!(t < core.query.tierSince[tier]!)) return;
  core.query.tierSince[tier] = t;
  core.store.setMeta(tierSinceKey(tier), String(t));
}

export function closeCore(core: Core): void {
  core.aggregator.close();
  core.store.close();
}
