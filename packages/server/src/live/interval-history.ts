import { liveStats, mergeSecondStats, type SecondStats } from '../aggregate/live-stats.ts';

/** Live frames show at most this long an interval; a service reporting less often reads over this. */
export const MAX_LIVE_INTERVAL_MS = 5 * 60_000;
/** An export reaches the server this long after its interval ends, at most, for its interval to count as complete. */
export const DELIVERY_GRACE_MS = 2_000;
/** Seconds kept: two of the longest intervals and the grace. */
export const HISTORY_MS = 2 * MAX_LIVE_INTERVAL_MS + DELIVERY_GRACE_MS;

/**
 * Per-second stats of services that report every N seconds, kept for their live frames. Their data arrives
 * an interval at a time and is spread over the seconds it covers (`ingest/otlp/spread.ts`), so most of it
 * lands in seconds whose frames have gone out. A frame shows such a service over its last complete
 * interval: the N seconds that ended N + DELIVERY_GRACE_MS before the frame's second closed, by which time
 * every instance has exported them. The figure moves a second at a time and never drops to 0 between exports.
 */
export class IntervalHistory {
  private readonly seconds = new Map<number, Map<string, SecondStats>>();

  add(t: number, service: string, stats: SecondStats): void {
    let services = this.seconds.get(t);
    if (!services) this.seconds.set(t, (services = new Map()));
    const existing = services.get(service);
    if (existing) mergeSecondStats(existing, stats);
    else services.set(service, stats);
  }

  /** The window `interval` reads at the frame of second t, as [from, to). */
  static windowAt(t: number, interval: number): { from: number; to: number } {
    const to = Math.floor((t + 1000 - interval - DELIVERY_GRACE_MS) / 1000) * 1000;
    return { from: to - interval, to };
  }

  /** The service's seconds in [from, to) merged into a fresh object (the history is not changed); null without data. */
  merged(service: string, from: number, to: number): SecondStats | null {
    const out = new Map<number, Map<string, SecondStats>>();
    for (let t = from; t < to; t += 1000) {
      const stats = this.seconds.get(t)?.get(service);
      if (stats) mergeSecondStats(liveStats(out, service, from), stats);
    }
    return out.get(from)?.get(service) ?? null;
  }

  /** Services with any data kept. */
  services(): Set<string> {
    const names = new Set<string>();
    for (const services of this.seconds.values()) for (const name of services.keys()) names.add(name);
    return names;
  }

  /** Drops seconds before t. */
  prune(t: number): void {
    for (const second of this.seconds.keys()) if (second < t) this.seconds.delete(second);
  }
}
