import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { Aggregator } from './aggregate/aggregator.ts';
import { DirtyBuckets } from './aggregate/dirty-buckets.ts';
import { ReportIntervals } from './aggregate/report-intervals.ts';
import { SeriesRegistry } from './aggregate/series-registry.ts';
import { type Bus, createLocalBus } from './bus/bus.ts';
import type { Cluster } from './bus/redis-cluster.ts';
import type { Config } from './config.ts';
import { Downtime } from './downtime.ts';
import { IngestArrivals } from './ingest/arrivals.ts';
import { ByteBudget } from './ingest/body-budget.ts';
import { DecodePool } from './ingest/decode-pool.ts';
import type { FoldContext } from './ingest/decode-worker.ts';
import { DEFAULT_LIMITS, type IngestLimits } from './ingest/native/decode.ts';
import { frameOf, SecondWindow } from './live/second-window.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { DIRECT_MARGIN_MS, MATERIALIZED_FROM, TIER_RESOLUTIONS } from './model.ts';
import type { QueryContext } from './query/context.ts';
import { ServiceCatalog } from './query/service-catalog.ts';
import type { AlertStore } from './store/alert-store.ts';
import { DiskFullWatch } from './store/disk-full.ts';
import { MetaWriter } from './store/meta-writer.ts';
import { openStores } from './store/open-store.ts';
import type { Store } from './store/store.ts';

/** The server's long-lived parts, built once per app and closed with it. */
export interface Core {
  config: Readonly<Config>;
  now: () => number;
  store: Store;
  /** Alert rules, episodes, silences: same database, same connection. */
  alertStore: AlertStore;
  registry: SeriesRegistry;
  aggregator: Aggregator;
  /** Worker threads that decode, validate and fold ingest bodies (native and OTLP). */
  decoders: DecodePool;
  /** Limits on ingested items: names, attributes, timestamps (up to the longest retention back). */
  limits: IngestLimits;
  /** In process; with `--redis`, alert changes also reach the other instances' (`cluster.bus`). */
  bus: Bus;
  /** The other instances, through Redis (`--redis`); null when this one runs alone. */
  cluster: Cluster | null;
  window: SecondWindow;
  /** How often each service reports (OTLP spans), for query steps and live frames. */
  intervals: ReportIntervals;
  query: QueryContext;
  metrics: Metrics;
  /** Start-up work still running (the demo backfill); /readyz waits for it. */
  pendingStartup: Set<string>;
  /** Request body bytes ingest may hold at once (see ingest/body-budget.ts). */
  bodies: ByteBudget;
  /** Ingest requests in flight, which a second's frame waits for (see `closeSecond`). */
  arrivals: IngestArrivals;
  /** In-process producers (the demo) that hand over a second's data as it closes, before its frame is built. */
  secondClosing: Set<(t: number) => void>;
  /** Turns a full disk into 503 + Retry-After, logged and counted. */
  diskFull: DiskFullWatch;
  /** Meta values (tier starts, report intervals) written without holding up the commit that changed them. */
  meta: MetaWriter;
  /** When this server was not running (a server running alone): its empty buckets are unknown, not 0. */
  downtime: Downtime;
}

const tierSinceKey = (tier: number) => `tier_since_${tier}`;
const INTERVALS_KEY = 'report_intervals';

export async function createCore(config: Readonly<Config>, now: () => number, log: FastifyBaseLogger): Promise<Core> {
  const { store, alertStore } = await openStores(config.db, now);
  try {
    return await assembleCore(config, now, log, store, alertStore);
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The core around an open store: what start-up reads from it (series, intervals, tiers, dirty marks) first. */
async function assembleCore(
  config: Readonly<Config>,
  now: () => number,
  log: FastifyBaseLogger,
  store: Store,
  alertStore: AlertStore,
): Promise<Core> {
  const registry = await SeriesRegistry.load(store.loadSeries(), {
    maxSeries: config.maxSeries,
    maxServices: config.maxServices,
    maxSeriesPerService: config.maxSeriesPerService,
    maxSeriesBytes: config.maxSeriesBytes,
  });
  const shared = store.sharedSeries;
  if (shared) {
    registry.provisionalIds = true;
    shared.onAssigned = (assigned) => {
      for (const [record, id] of assigned) registry.renumber(record, id);
    };
  }
  const [storedIntervals, dirtyMarks, ...tierSince] = await Promise.all([
    store.getMeta(INTERVALS_KEY),
    store.loadDirty(),
    ...TIER_RESOLUTIONS.map((_, i) => store.getMeta(tierSinceKey(i))),
  ]);
  const bus = createLocalBus();
  const meta = new MetaWriter(store, (error, key) => log.warn({ err: error, key }, 'could not store a meta value'));
  const intervals = new ReportIntervals(storedIntervals, (json) => meta.set(INTERVALS_KEY, json));
  const downtime = await Downtime.start(store, meta, now, Math.max(...config.retentionMs), shared !== undefined);
  const window = new SecondWindow(
    (service) => intervals.of(service),
    (service) => intervals.dataFrom(service),
  );
  const bodies = new ByteBudget(config.maxInflightBytes);
  const metrics = createMetrics({
    series: () => registry.size,
    services: () => registry.services,
    inflightBytes: () => bodies.inUse,
  });
  const query: QueryContext = {
    store,
    registry,
    config,
    now,
    tierSince: tierSince.map((since) => Number(since ?? Number.POSITIVE_INFINITY)),
    dirty: new DirtyBuckets(dirtyMarks),
    limits: { maxCells: config.queryMaxCells, maxRows: config.queryMaxRows },
    intervals,
    downtime,
    // Another instance may write a shared store: its services are read again each second.
    services: new ServiceCatalog(() => store.services(), now, store.sharedSeries ? 1000 : undefined),
  };
  const aggregator = new Aggregator({
    store,
    registry,
    maxPendingObservations: config.maxPendingObservations,
    liveFrom: () => window.collectFrom,
    directBefore: () => directBefore(config, now()),
    moreComing: () => core.decoders.foldsComing > 0,
    onCommitted: (folded, stats) => {
      const at = now();
      intervals.note(folded.intervals, at);
      intervals.seen(folded.serviceSeen, at);
      // Behind a load balancer a service's next export may reach another instance: it learns this one's too.
      if (folded.intervals.size > 0 || folded.serviceSeen.size > 0) {
        core.cluster?.shareCommit({ reported: folded.intervals, seen: folded.serviceSeen });
      }
      query.services.seen(folded.serviceSeen);
      window.add(folded.seconds);
      for (const [tier, t] of folded.dirty) query.dirty.add(tier, t, at);
      // Live writes reach every tier.
      for (let tier = 0; tier < TIER_RESOLUTIONS.length; tier++) noteTierWritten(core, tier, folded.oldest);
      metrics.ingested.inc(stats.observations);
      metrics.storeWrite.observe(stats.writeMs / 1000);
      core.diskFull.wrote();
    },
  });
  const core: Core = {
    config,
    now,
    store,
    alertStore,
    registry,
    aggregator,
    // Up to four bodies at the limit may wait for a worker before ingest answers 503.
    decoders: new DecodePool({
      maxQueuedBytes: 4 * config.bodyLimitBytes,
      workers: config.ingestWorkers,
      cumulativeState: async () => {
        await aggregator.flush();
        return store.loadCumulativeState();
      },
      otherStarts: store.sharedSeries === undefined,
    }),
    limits: { ...DEFAULT_LIMITS, maxAgeMs: Math.max(...config.retentionMs) },
    bus,
    cluster: null,
    window,
    intervals,
    metrics,
    query,
    pendingStartup: new Set(),
    bodies,
    arrivals: new IngestArrivals(now),
    secondClosing: new Set(),
    diskFull: new DiskFullWatch({ file: config.db, metrics, log, now }),
    meta,
    downtime,
  };
  return core;
}

/**
 * Per tier built from the one below: buckets starting before this are written directly, because the
 * tier below is about to drop their time and could no longer rebuild them.
 */
export function directBefore(config: Readonly<Config>, now: number): number[] {
  return TIER_RESOLUTIONS.map((_, tier) =>
    tier >= MATERIALIZED_FROM ? now - config.retentionMs[tier - 1]! + DIRECT_MARGIN_MS : Number.NEGATIVE_INFINITY,
  );
}

/** What a decode worker folding a request now needs to know about the clock and the tiers. */
export function foldContext(core: Core): FoldContext {
  const now = core.now();
  return { now, liveFrom: core.window.collectFrom, directBefore: directBefore(core.config, now), limits: core.limits };
}

/** Records that `tier` now holds data from `t` on, so queries read it there. */
export function noteTierWritten(core: Core, tier: number, t: number): void {
  if (!(t < core.query.tierSince[tier]!)) return;
  core.query.tierSince[tier] = t;
  core.meta.set(tierSinceKey(tier), String(t));
}

/**
 * Second t has closed: its frame goes on the bus, built from this instance's stats alone or, in a cluster,
 * once the other instances' stats of it are in (or the wait for them is up). One second at a time, oldest
 * first (the live plugin chains the calls), so frames go out in order.
 */
export async function closeSecond(core: Core, t: number, options: { waitUntil: number }): Promise<void> {
  for (const handOver of core.secondClosing) handOver(t);
  // A request that arrived before the second closed belongs in its frame: one turn of the event loop reads
  // requests whose bytes are already here, then the frame waits for every request that has arrived to be
  // answered (its data committed), but not past `waitUntil` (a slow upload must not hold every client's frame).
  await nextTurn();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    core.arrivals.settledBefore(core.now()),
    new Promise((resolve) => {
      timer = setTimeout(resolve, Math.max(0, options.waitUntil - core.now()));
    }),
  ]);
  clearTimeout(timer);
  // Commit what is queued (the handed-over data, and requests still in flight past `waitUntil` whose data
  // is queued already).
  await core.aggregator.flush();
  const partial = core.window.takePartial(t);
  if (core.cluster) core.cluster.closeSecond(t, partial);
  else core.bus.publish('frame', frameOf(t, partial));
}

export async function closeCore(core: Core): Promise<void> {
  await core.cluster?.close();
  await core.decoders.close();
  await core.aggregator.close();
  core.downtime.stop();
  await core.meta.settled();
  await core.store.close();
}
