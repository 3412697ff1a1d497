import type { LiveServiceStats } from '@pulseboard/shared';
import { round } from '../query/round.ts';
import { Sketch } from '../sketch/sketch.ts';

/** One service's figures in a frame, with the sketch its percentiles came from (null: no requests). */
export interface LiveSource {
  stats: LiveServiceStats;
  sketch: Sketch | null;
}

/**
 * Several services' live figures merged into one: rates added, the error rate as errors per second over
 * requests per second (each service's figures may cover a different reporting interval), percentiles from
 * the sketches merged at each one's rate (an average of percentiles would hide a slow service among fast
 * ones; a count-weighted merge would let a 60 s interval outweigh one second 60 to 1), CPU the mean
 * of the services' means, memory the sum.
 */
export function liveTotal(sources: Iterable<LiveSource>): LiveServiceStats {
  let rate = 0;
  let errorsPerSecond = 0;
  let count = 0;
  let cpuSum = 0;
  let cpuCount = 0;
  let memory: number | null = null;
  let interval = 1000;
  const sketch = new Sketch();
  for (const { stats, sketch: own } of sources) {
    rate += stats.rate;
    count += stats.count;
    if (stats.errorRate !== null) errorsPerSecond += stats.errorRate * stats.rate;
    // A service that reports every N s brings its whole last interval's sketch: weighted by its rate over
    // its count, it counts as one second of its requests, as the others' one-second sketches do.
    if (own && own.count > 0) sketch.merge(own, stats.rate / own.count);
    if (stats.cpu !== null) {
      cpuSum += stats.cpu;
      cpuCount++;
    }
    if (stats.memory !== null) memory = (memory ?? 0) + stats.memory;
    interval = Math.max(interval, stats.interval ?? 1000);
  }
  const has = count > 0 && rate > 0;
  return {
    rate: round(rate, 6) ?? 0,
    errorRate: has ? round(errorsPerSecond / rate, 6) : null,
    p50: has ? round(sketch.quantile(0.5)) : null,
    p95: has ? round(sketch.quantile(0.95)) : null,
    p99: has ? round(sketch.quantile(0.99)) : null,
    count: round(count, 6) ?? 0,
    cpu: cpuCount > 0 ? round(cpuSum / cpuCount, 4) : null,
    memory,
    interval,
  };
}
