import type { LiveServiceStats } from '@pulseboard/shared';
import { mergeSecondStats, type SecondStats } from '../aggregate/live-stats.ts';
import { RecentMax } from '../aggregate/recent-max.ts';
import type { SecondFrame } from '../bus/bus.ts';
import { round } from '../query/round.ts';
import type { Sketch } from '../sketch/sketch.ts';
import { HISTORY_MS, IntervalHistory, MAX_LIVE_INTERVAL_MS } from './interval-history.ts';

/**
 * Collects each committed write's per-second, per-service activity until that second's frame goes out.
 * Services that report every N seconds are kept apart (`IntervalHistory`) and shown over their last
 * complete interval; so are services sending in batches (an SDK's spans, every 5 s by default), which
 * `ReportIntervals` reads as reporting every N s. A sender that posts each second once it closes (the demo
 * CLI, most scripts) lands tens of milliseconds after the ticker: dropped, its frames were empty. Such a
 * service is shown at its newest complete second instead: as many seconds back as its data arrived late in
 * the last two minutes.
 */
export class SecondWindow {
  private readonly seconds = new Map<number, Map<string, SecondStats>>();
  private readonly history = new IntervalHistory();
  private published = Number.NEGATIVE_INFINITY;
  /** Per service whose data arrives late, how late (whole seconds); see `noteLate`. */
  private readonly late = new Map<string, RecentMax>();

  /**
   * `intervalOf`: how often a service reports (ms); 1000 for one whose data arrives as it happens.
   * `dataFromOf`: where a service's reported data begins (`ReportIntervals.dataFrom`), -Infinity when unknown.
   */
  constructor(
    private readonly intervalOf: (service: string) => number = () => 1000,
    private readonly dataFromOf: (service: string) => number = () => Number.NEGATIVE_INFINITY,
  ) {}

  /** The first second whose frame has not gone out yet. */
  get openFrom(): number {
    return this.published + 1000;
  }

  /** The first second worth collecting: older data of services that report every N seconds still counts. */
  get collectFrom(): number {
    return this.openFrom - HISTORY_MS;
  }

  add(seconds: ReadonlyMap<number, ReadonlyMap<string, SecondStats>>): void {
    for (const [t, services] of seconds) {
      for (const [service, stats] of services) {
        if (this.intervalOf(service) > 1000) {
          this.history.add(t, service, stats);
          continue;
        }
        if (t <= this.published) this.noteLate(service, t);
        if (this.late.has(service)) {
          this.history.add(t, service, stats);
          continue;
        }
        let into = this.seconds.get(t);
        if (!into) this.seconds.set(t, (into = new Map()));
        const existing = into.get(service);
        if (existing) mergeSecondStats(existing, stats);
        else into.set(service, stats);
      }
    }
  }

  /**
   * Second t's stats per service, before they become figures: what an instance shares with the others of a
   * cluster (`bus/`), which add theirs before building the frame. Drops it and anything older.
   */
  takePartial(t: number): FramePartial {
    const partial: FramePartial = new Map();
    for (const [service, stats] of this.seconds.get(t) ?? []) {
      // A service whose interval was learned after this second's data came in.
      if (this.intervalOf(service) > 1000 || this.late.has(service)) this.history.add(t, service, stats);
      else partial.set(service, { stats, interval: 1000 });
    }
    for (const service of this.history.services()) {
      const interval = Math.min(this.intervalOf(service), MAX_LIVE_INTERVAL_MS);
      if (interval <= 1000) {
        const second = this.newestCompleteSecond(service, t);
        const stats = second === null ? null : this.history.merged(service, second, second + 1000);
        if (stats) partial.set(service, { stats, interval: 1000 });
        continue;
      }
      const { from, to } = this.intervalWindow(service, t, interval);
      // Shown once it has a second of data: the cluster's partial codec takes intervals of 1 s and more.
      const stats = to - from >= 1000 ? this.history.merged(service, from - (from % 1000), to) : null;
      if (stats) partial.set(service, { stats, interval: to - from });
    }
    this.published = Math.max(this.published, t);
    for (const second of this.seconds.keys()) if (second <= t) this.seconds.delete(second);
    this.history.prune(t + 1000 - HISTORY_MS);
    return partial;
  }

  /**
   * Data of second t arrived after that second's frame went out: the service is late by at least the seconds
   * published since, plus one. Kept as the most of the current and the previous minute, so a span batch's
   * oldest second (the latest to arrive) sets it, and a service back on time returns to real time.
   */
  private noteLate(service: string, t: number): void {
    const seconds = Math.min((this.published - t) / 1000 + 1, MAX_LIVE_INTERVAL_MS / 1000);
    let late = this.late.get(service);
    if (!late) this.late.set(service, (late = new RecentMax(LATE_MINUTE_MS, this.published)));
    late.note(seconds, this.published);
  }

  /**
   * The window frame t reads a service reporting every `interval` ms over: its last complete interval, or of
   * a service that began within it, the part since it began. Read over the whole interval, a new service's
   * rate climbed from 0 to its real value over the minute after its first export (40/s for 100/s midway).
   * Of one whose data began less than a second before the window's end, its first second: its first export
   * or batch has brought it, and without it the frames until the window reached its data showed nothing,
   * which a page open counted as quiet seconds (a trace-only service's first frames, 2.7/s for 20/s).
   */
  private intervalWindow(service: string, t: number, interval: number): { from: number; to: number } {
    const window = IntervalHistory.windowAt(t, interval);
    const from = Math.max(window.from, this.dataFromOf(service));
    return { from, to: Math.max(window.to, from + 1000) };
  }

  /** The second frame t shows of a late service (null: the service is on time, or no longer sends). */
  private newestCompleteSecond(service: string, t: number): number | null {
    const seconds = this.late.get(service)?.value(t) ?? 0;
    if (seconds === 0) {
      // Nothing late for two minutes: back to real time (its seconds still in the history go unshown).
      this.late.delete(service);
      return null;
    }
    return t - seconds * 1000;
  }
}

const LATE_MINUTE_MS = 60_000;

/** One service's stats behind a frame, over `interval` ms (1000, or the last complete reporting interval). */
export interface ServicePartial {
  stats: SecondStats;
  interval: number;
}

/** service -> its stats behind one second's frame. */
export type FramePartial = Map<string, ServicePartial>;

/** The frame of second t from its stats: figures per service, and the sketches a frame's `total` merges. */
export function frameOf(t: number, partial: ReadonlyMap<string, ServicePartial>): SecondFrame {
  // No prototype: a service named `__proto__` is a key like any other, not the object's prototype.
  const services: Record<string, LiveServiceStats> = Object.create(null);
  const sketches = new Map<string, Sketch>();
  for (const [service, { stats, interval }] of partial) {
    services[service] = toLiveStats(stats, interval);
    if (stats.count > 0) sketches.set(service, stats.sketch);
  }
  return { t, services, sketches };
}

/**
 * Figures over `interval` ms of data as those of its average second (rate and count per second, so a page
 * that adds up frames' counts sees each second's share); CPU and memory as the mean over it.
 */
function toLiveStats(s: SecondStats, interval: number): LiveServiceStats {
  const has = s.count > 0;
  const perSecond = round(s.count / (interval / 1000), 6) ?? 0;
  let memory: number | null = null;
  for (const m of s.memoryByInstance.values()) memory = (memory ?? 0) + m.sum / m.count;
  return {
    rate: perSecond,
    errorRate: has ? round(s.errors / s.count, 6) : null,
    p50: has ? round(s.sketch.quantile(0.5)) : null,
    p95: has ? round(s.sketch.quantile(0.95)) : null,
    p99: has ? round(s.sketch.quantile(0.99)) : null,
    count: perSecond,
    cpu: s.cpuCount > 0 ? round(s.cpuSum / s.cpuCount, 4) : null,
    memory: memory === null ? null : Math.round(memory),
    interval,
  };
}
