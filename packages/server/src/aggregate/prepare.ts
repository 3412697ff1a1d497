import { type SampleBatch, type SeriesIdentity, seriesKey } from '../model.ts';
import { decodeSketch, encodeSketch } from '../sketch/codec.ts';
import type { WriteSet } from '../store/store.ts';
import { type Folded, fold, type SecondStats } from './fold.ts';
import { describeSeries } from './series-registry.ts';

/** A second's live stats in a form that crosses a worker boundary (sketch encoded, maps as arrays). */
export interface PortableSecond {
  t: number;
  service: string;
  count: number;
  errors: number;
  sketch: Uint8Array;
  cpuSum: number;
  cpuCount: number;
  memory: [instance: string, sum: number, count: number][];
}

/**
 * A request folded ahead of the commit, off the main thread. Sample rows name series by their index in
 * `identities`; the aggregator swaps in real ids after the registry has accepted every identity.
 */
export interface Prepared {
  identities: SeriesIdentity[];
  set: Omit<WriteSet, 'serviceSeen' | 'newSeries'>;
  serviceSeen: [string, number][];
  seconds: PortableSecond[];
  oldest: number;
  observations: number;
}

/** Folds a decoded batch without the registry: everything the commit needs except series ids. */
export function prepareBatch(batch: SampleBatch, liveFrom: number): Prepared {
  const inputs = batch.map((samples, i) => ({
    record: describeSeries(i, seriesKey(samples.identity), samples.identity),
    timestamps: samples.timestamps,
    values: samples.values,
  }));
  const folded = fold(inputs, { liveFrom });
  const { set } = folded;
  let observations = 0;
  for (const samples of batch) observations += samples.values.length;
  return {
    identities: batch.map((s) => s.identity),
    set: { samples: set.samples, redServices: set.redServices, redRoutes: set.redRoutes },
    serviceSeen: [...set.serviceSeen],
    seconds: portableSeconds(folded.seconds),
    oldest: folded.oldest,
    observations,
  };
}

function portableSeconds(seconds: Folded['seconds']): PortableSecond[] {
  const out: PortableSecond[] = [];
  for (const [t, services] of seconds) {
    for (const [service, s] of services) {
      out.push({
        t,
        service,
        count: s.count,
        errors: s.errors,
        sketch: encodeSketch(s.sketch),
        cpuSum: s.cpuSum,
        cpuCount: s.cpuCount,
        memory: [...s.memoryByInstance].map(([instance, m]) => [instance, m.sum, m.count]),
      });
    }
  }
  return out;
}

/** The live stats back in the shape the second window merges. */
export function secondsFromPortable(portable: readonly PortableSecond[]): Folded['seconds'] {
  const seconds: Folded['seconds'] = new Map();
  for (const p of portable) {
    let services = seconds.get(p.t);
    if (!services) seconds.set(p.t, (services = new Map()));
    const stats: SecondStats = {
      count: p.count,
      errors: p.errors,
      sketch: decodeSketch(p.sketch),
      cpuSum: p.cpuSum,
      cpuCount: p.cpuCount,
      memoryByInstance: new Map(p.memory.map(([instance, sum, count]) => [instance, { sum, count }])),
      seen: true,
    };
    services.set(p.service, stats);
  }
  return seconds;
}
