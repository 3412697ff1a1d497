import type { Reported } from './fold.ts';

/** Intervals are kept in whole seconds: an SDK's 5 s export spans 4,998 or 5,003 ms by timer jitter. */
const SECOND = 1000;

interface Known {
  interval: number;
  /** When a point of that interval last arrived. */
  at: number;
  /** The end of the newest interval reported (not kept across restarts). */
  until: number;
}

/**
 * How often each service's request series report (ms), learned from OTLP points' spans: a delta point's
 * `start..time`, the spacing of a cumulative series' points. Queries never read a service at a shorter step,
 * and live frames show such a service's last complete interval. Services never seen with a span (native
 * items, which arrive as they happen) have none: they report every second.
 *
 * A longer interval wins at once; a shorter one only once the longer has not been seen for three of its
 * intervals, so two instances exporting at different intervals read at the slower one.
 */
export class ReportIntervals {
  private readonly known = new Map<string, Known>();

  constructor(
    stored: string | null | undefined,
    /** Writes the intervals (JSON) when one changes, so a restart keeps reading history at them. */
    private readonly persist: (json: string) => void,
  ) {
    if (!stored) return;
    for (const [service, interval] of Object.entries(JSON.parse(stored) as Record<string, number>)) {
      this.known.set(service, { interval, at: Number.NEGATIVE_INFINITY, until: Number.POSITIVE_INFINITY });
    }
  }

  /** Records the intervals a commit's points covered (service -> longest span, ms, and its newest end). */
  note(intervals: ReadonlyMap<string, Reported>, now: number): void {
    let changed = false;
    for (const [service, reported] of intervals) {
      const interval = Math.max(SECOND, Math.round(reported.interval / SECOND) * SECOND);
      const known = this.known.get(service);
      if (known && Number.isFinite(known.until)) known.until = Math.max(known.until, reported.until);
      else if (known) known.until = reported.until;
      if (known && interval < known.interval && now - known.at < 3 * known.interval) continue;
      if (known && interval === known.interval) {
        known.at = now;
        continue;
      }
      this.known.set(service, { interval, at: now, until: known?.until ?? reported.until });
      changed = true;
    }
    if (changed) this.save();
  }

  /**
   * Where the service's data is complete up to: the end of its newest reported interval, when it reports
   * every N seconds and has since the start; +Infinity otherwise.
   */
  reportedUntil(service: string): number {
    const known = this.known.get(service);
    return known && known.interval > SECOND ? known.until : Number.POSITIVE_INFINITY;
  }

  /**
   * Where every one of `services` still reporting has sent up to (the earliest `reportedUntil`): figures merged
   * across services (percentiles, error rates) come only from time before it, where each service's share of
   * requests matches its share of time. A service whose newest report ends more than two of its intervals
   * before `now` has stopped and holds nothing back (as on the page). +Infinity when none lags.
   */
  sentByAll(services: Iterable<string>, now: number): number {
    let until = Number.POSITIVE_INFINITY;
    for (const service of services) {
      const reported = this.reportedUntil(service);
      if (now - reported <= 2 * this.of(service)) until = Math.min(until, reported);
    }
    return until;
  }

  /** The service's reporting interval (ms); 1000 when it reports as things happen. */
  of(service: string): number {
    return this.known.get(service)?.interval ?? SECOND;
  }

  /** The longest reporting interval among `services` (ms). */
  longest(services: Iterable<string>): number {
    let longest = SECOND;
    for (const service of services) longest = Math.max(longest, this.of(service));
    return longest;
  }

  forget(service: string): void {
    if (this.known.delete(service)) this.save();
  }

  private save(): void {
    this.persist(JSON.stringify(Object.fromEntries([...this.known].map(([s, k]) => [s, k.interval]))));
  }
}
