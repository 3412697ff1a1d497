import { type DemoGenerator, METHOD_ATTR } from '@pulseboard/demo';
import { CPU_METRIC, INSTANCE_ATTR, MEMORY_METRIC, RED_METRIC, ROUTE_ATTR, STATUS_ATTR } from '@pulseboard/shared';
import { type FoldInput, fold } from '../aggregate/fold.ts';
import type { SeriesRegistry } from '../aggregate/series-registry.ts';
import type { SeriesSamples } from '../model.ts';
import type { Store } from '../store/store.ts';

const STEP_MS = 10_000;
/** Each chunk is one transaction; between chunks the event loop serves requests and live frames. */
const CHUNK_MS = 20 * 60_000;

export interface BackfillOptions {
  generator: DemoGenerator;
  store: Store;
  registry: SeriesRegistry;
  from: number;
  to: number;
  onProgress: (done: number) => void;
  /** Checked between chunks: the server may be shutting down. */
  stopped: () => boolean;
}

/**
 * Writes the demo's history as pre-aggregated 10 s buckets (and their 1 min and 1 h rollups) straight to
 * the store, so a fresh dashboard has a day to show without replaying millions of requests.
 */
export async function backfillDemo(options: BackfillOptions): Promise<void> {
  const { generator, store, registry, from, to } = options;
  for (let start = from; start < to && !options.stopped(); start += CHUNK_MS) {
    const end = Math.min(to, start + CHUNK_MS);
    const summary = generator.summarize(start, end, STEP_MS);
    const series = new Map<string, SeriesSamples & { weights: number[] }>();
    const push = (samples: Omit<SeriesSamples, 'timestamps' | 'values'>, t: number, value: number, weight: number) => {
      const key = JSON.stringify([samples.identity.service, samples.identity.name, samples.identity.attributes]);
      let entry = series.get(key);
      if (!entry) series.set(key, (entry = { ...samples, timestamps: [], values: [], weights: [] }));
      entry.timestamps.push(t);
      entry.values.push(value);
      entry.weights.push(weight);
    };
    for (const r of summary.requests) {
      const attributes = {
        [ROUTE_ATTR]: r.route,
        [METHOD_ATTR]: r.method,
        [STATUS_ATTR]: r.status,
        [INSTANCE_ATTR]: r.instance,
      };
      const identity = { service: r.service, name: RED_METRIC, kind: 'histogram' as const, unit: 'ms', attributes };
      for (const [value, count] of r.latencies) push({ identity }, r.t, value, count);
    }
    for (const g of summary.gauges) {
      const attributes = { [INSTANCE_ATTR]: g.instance };
      push({ identity: { service: g.service, name: CPU_METRIC, kind: 'gauge', unit: '1', attributes } }, g.t, g.cpu, 1);
      push(
        { identity: { service: g.service, name: MEMORY_METRIC, kind: 'gauge', unit: 'By', attributes } },
        g.t,
        g.memory,
        1,
      );
    }
    const batch = [...series.values()];
    const { records, created } = registry.resolve(batch);
    const inputs: FoldInput[] = batch.map((s, i) => ({
      record: records[i]!,
      timestamps: s.timestamps,
      values: s.values,
      weights: s.weights,
    }));
    const { set } = fold(inputs, { fromTier: 1 });
    set.newSeries = created;
    try {
      store.write(set);
    } catch (error) {
      registry.release(created);
      throw error;
    }
    options.onProgress((end - from) / (to - from));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
