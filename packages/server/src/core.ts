import { Aggregator } from './aggregate/aggregator.ts';
import { SeriesRegistry } from './aggregate/series-registry.ts';
import { type Bus, createLocalBus } from './bus/bus.ts';
import type { Config } from './config.ts';
import { SecondWindow } from './live/second-window.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import type { QueryContext } from './query/context.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';

/** The server's long-lived parts, built once per app and closed with it. */
export interface Core {
  config: Readonly<Config>;
  now: () => number;
  store: Store;
  registry: SeriesRegistry;
  aggregator: Aggregator;
  bus: Bus;
  window: SecondWindow;
  query: QueryContext;
  metrics: Metrics;
  /** Start-up work still running (the demo backfill); /readyz waits for it. */
  pendingStartup: Set<string>;
}

const LIVE_SINCE_KEY = 'live_since';

export function createCore(config: Readonly<Config>, now: () => number): Core {
  const store = openSqliteStore(config.db);
  const registry = new SeriesRegistry(store.loadSeries(), config.maxSeriesPerService);
  const bus = createLocalBus();
  const window = new SecondWindow();
  const metrics = createMetrics();
  // The 1 s tier holds only what the live pipeline wrote (a backfill skips it), so the planner reads
  // seconds older than the oldest such write from coarser tiers.
  const query: QueryContext = {
    store,
    registry,
    config,
    now,
    liveSince: Number(store.getMeta(LIVE_SINCE_KEY) ?? Number.POSITIVE_INFINITY),
  };
  const aggregator = new Aggregator({
    store,
    registry,
    maxPendingObservations: config.maxPendingObservations,
    onCommitted: (folded, stats) => {
      window.add(folded.seconds);
      const oldest = Math.min(...folded.seconds.keys());
      if (oldest < query.liveSince) {
        query.liveSince = oldest;
        store.setMeta(LIVE_SINCE_KEY, String(oldest));
      }
      metrics.ingested.inc(stats.observations);
      metrics.storeWrite.observe(stats.writeMs / 1000);
    },
  });
  return {
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
}

export function closeCore(core: Core): void {
  core.aggregator.close();
  core.store.close();
}
