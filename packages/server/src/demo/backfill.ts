import { setImmediate as nextTurn } from 'node:timers/promises';
import { type DemoGenerator, METHOD_ATTR } from '@pulseboard/demo';
import { CPU_METRIC, INSTANCE_ATTR, MEMORY_METRIC, RED_METRIC, ROUTE_ATTR, STATUS_ATTR } from '@pulseboard/shared';
import { type FoldInput, fold } from '../aggregate/fold.ts';
import { type SeriesRegistry, seriesToAdd } from '../aggregate/series-registry.ts';
import type { SeriesSamples } from '../model.ts';
import type { SeenSpan, Store } from '../store/store.ts';

/** Summary steps: 10 s where the 10 s tier is written, 1 min for older history (6x less work). */
const FINE_STEP_MS = 10_000;
const COARSE_STEP_MS = 60_000;
/**
 * The 10 s tier only serves ranges up to a few hours (the step grows past 30 s beyond that), so history
 * older than this goes to the 1 min and 1 h tiers only, which keeps the backfill to seconds.
 */
const FINE_HISTORY_MS = 6 * 3_600_000;
/**
 * Each chunk is one transaction; between chunks the event loop serves requests and live frames. 60 steps a
 * chunk: 10 minutes of 10 s steps (half of the 20 minutes that held the event loop ~400 ms, which a page
 * loading meanwhile waited for each of its requests), and whole hours of 1 min steps, so each hour bucket is
 * written once. Fewer steps per chunk cost more in all: every chunk merges into the same hour buckets again.
 */
const CHUNK_STEPS = 60;

export interface BackfillOptions {
  generator: DemoGenerator;
  store: Store;
  registry: SeriesRegistry;
  from: number;
  to: number;
  onProgress: (done: number) => void;
  /** Checked between chunks: the server may be shutting down. */
  stopped: () => boolean;
  /** Told the oldest bucket written per tier, so queries know where each tier's data begins. */
  onTierWritten: (tier: number, t: number) => void;
  /** Told each committed chunk's first and last data per service (queries keep a list of services). */
  onServicesSeen: (seen: ReadonlyMap<string, SeenSpan>) => void;
}

/**
 * Writes the demo's history as pre-aggregated 10 s buckets (and their 1 min and 1 h rollups) straight to
 * the store, so a fresh dashboard has a day to show without replaying millions of requests.
 */
export async function backfillDemo(options: BackfillOptions): Promise<void> {
  const { generator, store, registry, from, to } = options;
  // On an hour boundary, so no 1 min bucket is half fine and half coarse.
  const fineFrom = Math.floor((to - FINE_HISTORY_MS) / 3_600_000) * 3_600_000;
  // Newest first: the default views (the last hour) fill within a second of start; older history follows.
  for (let end = to, start = to; end > from && !options.stopped(); end = start) {
    const fine = end > fineFrom;
    const step = fine ? FINE_STEP_MS : COARSE_STEP_MS;
    // A fine chunk stops at fineFrom, so every chunk is summarized at one step.
    start = Math.max(from, fine ? fineFrom : Number.NEGATIVE_INFINITY, end - CHUNK_STEPS * step);
    const summary = generator.summarize(start, end, step);
    const series = new Map<
      string,
      { identity: SeriesSamples['identity']; timestamps: number[]; values: number[]; weights: number[] }
    >();
    const seriesFor = (key: string, identity: SeriesSamples['identity']) => {
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { identity, timestamps: [], values: [], weights: [] }));
      return entry;
    };
    for (const r of summary.requests) {
      const key = `r\u0000${r.service}\u0000${r.route}\u0000${r.method}\u0000${r.status}\u0000${r.instance}`;
      const attributes = {
        [ROUTE_ATTR]: r.route,
        [METHOD_ATTR]: r.method,
        [STATUS_ATTR]: r.status,
        [INSTANCE_ATTR]: r.instance,
      };
      const entry = seriesFor(key, { service: r.service, name: RED_METRIC, kind: 'histogram', unit: 'ms', attributes });
      for (const [value, count] of r.latencies) {
        entry.timestamps.push(r.t);
        entry.values.push(value);
        entry.weights.push(count);
      }
    }
    for (const g of summary.gauges) {
      const attributes = { [INSTANCE_ATTR]: g.instance };
      for (const [name, unit, value] of [
        [CPU_METRIC, '1', g.cpu],
        [MEMORY_METRIC, 'By', g.memory],
      ] as const) {
        const entry = seriesFor(`g\u0000${g.service}\u0000${name}\u0000${g.instance}`, {
          service: g.service,
          name,
          kind: 'gauge',
          unit,
          attributes,
        });
        entry.timestamps.push(g.t);
        entry.values.push(value);
        entry.weights.push(1);
      }
    }
    const batch = [...series.values()];
    const { records, created } = registry.resolve(batch);
    const inputs: FoldInput[] = batch.map((s, i) => ({
      record: records[i]!,
      timestamps: s.timestamps,
      values: s.values,
      weights: s.weights,
    }));
    // A fine chunk starts at fineFrom or later, so only fine chunks reach the 10 s tier.
    const folded = fold(inputs, { fromTier: fine ? 1 : 2 });
    const appender = store.appender();
    for (const record of seriesToAdd(records, created)) appender.addSeries(record);
    appender.addRows(folded.rows);
    for (const [service, seen] of folded.serviceSeen) appender.seeService(service, seen);
    try {
      await appender.commit();
    } catch (error) {
      registry.release(created);
      throw error;
    }
    options.onServicesSeen(folded.serviceSeen);
    options.onTierWritten(2, start);
    options.onTierWritten(3, start);
    if (fine) options.onTierWritten(1, start);
    options.onProgress((to - start) / (to - from));
    await nextTurn();
  }
}
