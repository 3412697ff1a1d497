import { CPU_METRIC, MEMORY_METRIC } from '@pulseboard/shared';
import { Sketch } from '../sketch/sketch.ts';
import type { SeriesRecord } from '../store/store.ts';

/** One service's activity in one closed second, as the live stream reports it. */
export interface SecondStats {
  count: number;
  errors: number;
  sketch: Sketch;
  cpuSum: number;
  cpuCount: number;
  /** Mean memory per instance this second; the service's memory is their sum. */
  memoryByInstance: Map<string, { sum: number; count: number }>;
  /** Whether any observation at all arrived (a gauge-only second still shows the service). */
  seen: boolean;
}

/** second start -> service -> stats, for the live stream. */
export type LiveSeconds = Map<number, Map<string, SecondStats>>;

/** The live stats of `service` in second `t`, created empty on first use. */
export function liveStats(seconds: LiveSeconds, service: string, t: number): SecondStats {
  let services = seconds.get(t);
  if (!services) seconds.set(t, (services = new Map()));
  let stats = services.get(service);
  if (!stats) {
    stats = {
      count: 0,
      errors: 0,
      sketch: new Sketch(),
      cpuSum: 0,
      cpuCount: 0,
      memoryByInstance: new Map(),
      seen: true,
    };
    services.set(service, stats);
  }
  return stats;
}

/** Adds a series bucket to the live stats: its service was seen, and CPU and memory gauges (RED comes from the rollups). */
export function addLive(
  seconds: LiveSeconds,
  record: SeriesRecord,
  t: number,
  acc: { sum: number; count: number },
): void {
  const stats = liveStats(seconds, record.service, t);
  if (record.kind === 'gauge' && record.name === CPU_METRIC) {
    stats.cpuSum += acc.sum;
    stats.cpuCount += acc.count;
  } else if (record.kind === 'gauge' && record.name === MEMORY_METRIC) {
    const instance = record.instance ?? '';
    const mem = stats.memoryByInstance.get(instance) ?? { sum: 0, count: 0 };
    mem.sum += acc.sum;
    mem.count += acc.count;
    stats.memoryByInstance.set(instance, mem);
  }
}

/** Adds one second's stats of a service into another's (two commits, or two requests, of one second). */
export function mergeSecondStats(into: SecondStats, from: SecondStats): void {
  into.count += from.count;
  into.errors += from.errors;
  into.sketch.merge(from.sketch);
  into.cpuSum += from.cpuSum;
  into.cpuCount += from.cpuCount;
  for (const [instance, m] of from.memoryByInstance) {
    const mem = into.memoryByInstance.get(instance) ?? { sum: 0, count: 0 };
    mem.sum += m.sum;
    mem.count += m.count;
    into.memoryByInstance.set(instance, mem);
  }
}
