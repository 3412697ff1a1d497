import type { LiveServiceStats } from '@pulseboard/shared';
import { mergeSecondStats, type SecondStats } from '../aggregate/live-stats.ts';
import type { SecondFrame } from '../bus/bus.ts';
import { round } from '../query/context.ts';
import type { Sketch } from '../sketch/sketch.ts';

/**
 * Collects each committed write's per-second, per-service activity until that second's frame goes out.
 * Data that commits after its second was published still reaches the store; clients backfill it by REST.
 */
export class SecondWindow {
  private readonly seconds = new Map<number, Map<string, SecondStats>>();
  private published = Number.NEGATIVE_INFINITY;

  /** The first second whose frame has not gone out yet. */
  get openFrom(): number {
    return this.published + 1000;
  }

  add(seconds: ReadonlyMap<number, ReadonlyMap<string, SecondStats>>): void {
    for (const [t, services] of seconds) {
      if (t <= this.published) continue;
      let into = this.seconds.get(t);
      if (!into) this.seconds.set(t, (into = new Map()));
      for (const [service, stats] of services) {
        const existing = into.get(service);
        if (existing) mergeSecondStats(existing, stats);
        else into.set(service, stats);
      }
    }
  }

  /** The frame for second t; drops it and anything older. */
  take(t: number): SecondFrame {
    const services: Record<string, LiveServiceStats> = {};
    const sketches = new Map<string, Sketch>();
    for (const [service, stats] of this.seconds.get(t) ?? []) {
      services[service] = toLiveStats(stats);
      if (stats.count > 0) sketches.set(service, stats.sketch);
    }
    this.published = Math.max(this.published, t);
    for (const second of this.seconds.keys()) if (second <= t) this.seconds.delete(second);
    return { t, services, sketches };
  }
}

function toLiveStats(s: SecondStats): LiveServiceStats {
  const has = s.count > 0;
  let memory: number | null = null;
  for (const m of s.memoryByInstance.values()) memory = (memory ?? 0) + m.sum / m.count;
  return {
    rate: s.count,
    errorRate: has ? round(s.errors / s.count, 6) : null,
    p50: has ? round(s.sketch.quantile(0.5)) : null,
    p95: has ? round(s.sketch.quantile(0.95)) : null,
    p99: has ? round(s.sketch.quantile(0.99)) : null,
    count: s.count,
    cpu: s.cpuCount > 0 ? round(s.cpuSum / s.cpuCount, 4) : null,
    memory: memory === null ? null : Math.round(memory),
  };
}
