import type { SeenSpan } from '../store/store.ts';
import { addInstanceEnds, type Reported } from './fold.ts';
import { RecentMax } from './recent-max.ts';

/** Intervals are kept in whole seconds: an SDK's 5 s export spans 4,998 or 5,003 ms by timer jitter. */
const SECOND = 1000;
/**
 * The OpenTelemetry SDKs' default export interval: the most a first span is taken for (see `note`). A longer
 * one is the time a process ran before its first export reached this server, not how often it exports.
 */
const MAX_FIRST_SPAN_MS = 60_000;
/** A service reporting as things happen that sent nothing for this long has stopped (see `reportedUntil`). */
const STOPPED_AFTER_MS = 3_000;
/**
 * Data whose oldest observation arrives this late or later comes in batches (an SDK sends its spans every 5 s
 * by default); a sender posting each second once it closes is about a second late. See `seen`.
 */
const BATCHED_LAG_MS = 3_000;
/**
 * Data older than this on arrival is history being imported, or a straggler (an export retried after a
 * failure): not how the service sends live. An SDK's batch delay is 5 s by default, rarely above 30 s.
 */
const MAX_BATCH_LAG_MS = 30_000;
/** How late a service's data arrives is the most over the current and the previous period of this length. */
const LAG_PERIOD_MS = 60_000;

interface Known {
  interval: number;
  /** When a point of that interval last arrived. */
  at: number;
  /** The end of the newest interval reported (+Infinity when unknown: stored by a version that did not keep it). */
  until: number;
  /** A longer span seen once, and when: it wins if seen again within three of itself (see `note`). */
  longer?: { interval: number; at: number };
  /** Taken from a first span only: the first measured interval replaces it. */
  provisional?: boolean;
  /** Where the service's data begins: the start of its first report, for a service new to this process. */
  from?: number;
  /**
   * Per instance exporting (`service.instance.id`), the end of its newest report; an instance whose newest
   * report ends more than two intervals before the service's has stopped, and is dropped (see `note`).
   */
  instances?: Map<string, number>;
}

/** A service reporting as things happen, or in batches: its newest observation, when it arrived, how late. */
interface Newest {
  t: number;
  at: number;
  /** How long after its oldest observation each commit of it arrived (see `seen`). */
  lag: RecentMax;
  /**
   * When the last two of its commits late enough to be batches arrived: one alone is data sent once, and two
   * minutes apart are stragglers (an export retried), not a way of sending.
   */
  lateAt: [number, number];
  /**
   * Only its first commit has arrived, late, with data up to moments ago: likely its first batch, so it has
   * not stopped until as long after it as a second would have come (see `reportedUntil`).
   */
  firstBatch: boolean;
  /**
   * The second after that of its first observation this process received: that one is part of a second of
   * its traffic, likely (a process starting mid-second): read as a whole, its live figure climbed to its rate.
   */
  from: number;
}

/** What is stored per service: its interval (ms) and the end of its newest report. */
type Stored = number | { interval: number; until: number };

/**
 * How often each service's request series report (ms), learned from OTLP points' spans: a delta point's
 * `start..time`, the spacing of a cumulative series' points. Queries never read a service at a shorter step,
 * and live frames show such a service's last complete interval. Services never seen with a span (native
 * items, which arrive as they happen) have none: they report every second.
 *
 * A longer interval wins once it is seen twice (within three of itself); a shorter one only once the longer
 * has not been seen for three of its intervals, so two instances exporting at different intervals read at the
 * slower one. A single longer span is a gap, not a new interval: a cumulative series whose export was lost (the
 * server restarting, a refused request) next spans two intervals, and read at that step every chart of the
 * service halved its resolution and its live figures lagged a whole extra interval.
 *
 * A new service known only from cumulative points' first spans (an SDK's first export, at its default
 * temporality) takes that span, at most 60 s, until its first measured interval: a process exports one
 * interval after it starts. Unknown, it read as reporting every second, so the minute until its second export
 * read as 0 at every chart's right edge.
 */
export class ReportIntervals {
  private readonly known = new Map<string, Known>();
  /**
   * Per service reporting as things happen: the newest observation's time, and when it arrived. Its second
   * may still be filling, and the seconds after it have not arrived yet (a client sends a second's requests
   * when it closes, the commit follows): read as 0 they made every chart's right edge dip to 0.
   */
  private readonly newest = new Map<string, Newest>();

  constructor(
    stored: string | null | undefined,
    /**
     * Writes the intervals and the ends of the newest reports (JSON) when they change, so a restart keeps
     * reading history at them, and the time between a service's last report and its next is still unknown
     * rather than 0 (which read as a drop to 0 at every chart's right edge until the next export).
     */
    private readonly persist: (json: string) => void,
  ) {
    if (!stored) return;
    for (const [service, entry] of Object.entries(JSON.parse(stored) as Record<string, Stored>)) {
      const { interval, until } =
        typeof entry === 'number' ? { interval: entry, until: Number.POSITIVE_INFINITY } : entry;
      this.known.set(service, { interval, at: Number.NEGATIVE_INFINITY, until });
    }
  }

  /** Records the intervals a commit's points covered (service -> longest span, ms, and its newest end). */
  note(intervals: ReadonlyMap<string, Reported>, now: number): void {
    let changed = false;
    for (const [service, reported] of intervals) {
      const interval = Math.max(SECOND, Math.round(reported.interval / SECOND) * SECOND);
      const known = this.known.get(service);
      if (!known || (known.provisional && !reported.first)) {
        const provisional = reported.first === true;
        const taken = provisional ? Math.min(interval, MAX_FIRST_SPAN_MS) : interval;
        const until = Math.max(known?.until ?? 0, reported.until);
        // A service known from the stored intervals may have reported long before: its start is unknown.
        const from = known ? known.from : Math.floor(reported.until - reported.interval);
        const added: Known = {
          interval: taken,
          at: now,
          until,
          ...(provisional ? { provisional } : {}),
          ...(from === undefined ? {} : { from }),
          ...(known?.instances ? { instances: known.instances } : {}),
        };
        this.known.set(service, added);
        noteInstances(added, reported);
        changed = true;
        continue;
      }
      const until = Number.isFinite(known.until) ? Math.max(known.until, reported.until) : reported.until;
      changed ||= until !== known.until;
      known.until = until;
      noteInstances(known, reported);
      if (reported.first) continue;
      if (interval === known.interval) {
        known.at = now;
        continue;
      }
      const shorterWins = interval < known.interval && now - known.at >= 3 * known.interval;
      if (shorterWins || (interval > known.interval && this.seenTwice(known, interval, now))) {
        this.known.set(service, {
          interval,
          at: now,
          until,
          ...(known.from === undefined ? {} : { from: known.from }),
          ...(known.instances ? { instances: known.instances } : {}),
        });
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /**
   * Records the newest observation time per service of a commit (`Folded.serviceSeen`), committed (or heard of
   * from another instance) at `now`, and how late its oldest one was when its request arrived (`SeenSpan.lag`;
   * measured at `now`, a live service's commits slowed by a loaded machine, or news from another instance,
   * read as batches: its reads ended seconds before now, and a new service's alert resolved and fired again). A service whose data arrived 3 s late or more twice in two minutes sends in
   * batches (an SDK's spans): it is read as reporting every N s, N that lateness in whole seconds (see `of`), so
   * its live figure is its last complete N s, and the seconds its next batch brings are unknown until then,
   * not 0. Shown second by second, its newest second was a part of one (a dip at every chart's right edge),
   * and a page left open had each second at the wrong time, or twice, as the lateness changed.
   */
  seen(serviceSeen: ReadonlyMap<string, SeenSpan>, now: number): void {
    for (const [service, { first, last: t, lag = now - first }] of serviceSeen) {
      let newest = this.newest.get(service);
      if (!newest) {
        newest = {
          t,
          at: now,
          lag: new RecentMax(LAG_PERIOD_MS, now),
          lateAt: [-Infinity, -Infinity],
          // Late, with data up to moments ago: what happened since the process started, its first batch.
          firstBatch: lag >= BATCHED_LAG_MS && lag <= MAX_BATCH_LAG_MS && first + lag - t < BATCHED_LAG_MS,
          from: first - (first % SECOND) + SECOND,
        };
        this.newest.set(service, newest);
      } else {
        newest.firstBatch = false;
        if (t >= newest.t) {
          newest.t = t;
          newest.at = now;
        }
      }
      if (lag > MAX_BATCH_LAG_MS) continue;
      newest.lag.note(lag, now);
      if (lag >= BATCHED_LAG_MS) newest.lateAt = [newest.lateAt[1], now];
    }
  }

  /**
   * Where the service's data is complete up to: the end of its newest reported interval (the earliest of its
   * instances', see `everyInstanceUntil`), when it reports every N seconds and has since the start; for one
   * sending in batches every N s or less, N seconds before now, in whole seconds (each of its senders has sent
   * the requests that ended by then; the newer ones have come from some senders only, and are left out of
   * reads, see `readsUpTo`); for one reporting as things happen, the end of its newest observation's second (a second still filling reads at its rate so far, see
   * `bucketSeconds`). Those two while their data arrived within the last few seconds, or two of its
   * intervals for one sending in batches (a service silent for longer has stopped: its quiet seconds are
   * zeros, not unknown; between two batches it has not, and those seconds read as 0 at every chart's right
   * edge); +Infinity otherwise.
   */
  reportedUntil(service: string, now: number): number {
    const known = this.known.get(service);
    if (known && known.interval > SECOND) return everyInstanceUntil(known, now);
    const newest = this.newest.get(service);
    if (!newest) return Number.POSITIVE_INFINITY;
    const batches = this.batchInterval(newest);
    if (now - newest.at > this.stoppedAfter(newest, batches)) return Number.POSITIVE_INFINITY;
    const newestSecond = newest.t - (newest.t % SECOND);
    // A first batch went out within its newest second: what came after is in the next batch.
    if (batches === null) return newest.firstBatch ? newestSecond : newestSecond + SECOND;
    const sent = now - batches;
    return sent - (sent % SECOND);
  }

  /**
   * Where reads of the service's data stop (a whole second): its `reportedUntil` for a service sending in
   * batches (or that has sent its first), or reporting every N s from instances that have not all reported as far; +Infinity otherwise.
   * A batch (an export) holds one sender's requests since its previous batch: several
   * instances of a service send at different moments, and read up to the newest batch, the seconds the others
   * had not sent yet read low (a third of the rate at the right edge with three), read up to `reportedUntil`
   * with the newer batches' requests in its last bucket, high.
   */
  readsUpTo(service: string, now: number): number {
    const known = this.known.get(service);
    if (known && known.interval > SECOND) {
      const until = everyInstanceUntil(known, now);
      return until < known.until ? until : Number.POSITIVE_INFINITY;
    }
    const batches = this.batched(service) !== null || this.newest.get(service)?.firstBatch === true;
    return batches ? this.reportedUntil(service, now) : Number.POSITIVE_INFINITY;
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
      const reported = this.reportedUntil(service, now);
      // One reporting as things happen or in batches is +Infinity once stopped; one reporting every N s keeps
      // its last end.
      const interval = this.known.get(service)?.interval ?? SECOND;
      if (interval === SECOND || now - reported <= 2 * interval) until = Math.min(until, reported);
    }
    return until;
  }

  /**
   * The service's reporting interval (ms): of its reports, or for one sending in batches (or that has sent its
   * first), how late its data arrives (see `seen`); 1000 when it reports as things happen. A first batch read as
   * 1 s made a page take the service for stopped when its next batch had not come 2 s after: it settled the
   * bucket with the first batch's part (8.6/s for 20), and a page left open read 16/s 20 s later.
   */
  of(service: string): number {
    const steady = this.known.get(service)?.interval ?? this.batched(service)?.interval ?? SECOND;
    const newest = this.newest.get(service);
    return steady === SECOND && newest?.firstBatch ? lateSeconds(newest) : steady;
  }

  /**
   * Where the service's reported data begins (ms): the start of the first report this process received of a
   * service it did not know, or the first whole second of the data of one sending in batches (or that has sent its
   * first); -Infinity when unknown
   * (known before a restart, or reporting as things happen).
   * A live frame reads a new service's rate over the part of its last interval it existed in, not the whole.
   */
  dataFrom(service: string): number {
    const known = this.known.get(service);
    if (known) return known.from ?? Number.NEGATIVE_INFINITY;
    const newest = this.newest.get(service);
    // A first batch has its interval (`of`) too: read over the whole of it, the live figures of a new trace-only
    // service began at 0.3, 3.7, 7/s for 20 until its second batch, and a page left open kept those seconds.
    const batches = newest !== undefined && (newest.firstBatch || this.batched(service) !== null);
    return batches ? newest.from : Number.NEGATIVE_INFINITY;
  }

  /** The longest reporting interval among `services` (ms). */
  longest(services: Iterable<string>): number {
    let longest = SECOND;
    for (const service of services) longest = Math.max(longest, this.of(service));
    return longest;
  }

  forget(service: string): void {
    this.newest.delete(service);
    if (this.known.delete(service)) this.save();
  }

  /** A service without periodic reports that sends in batches: its newest data and its interval; else null. */
  private batched(service: string): { newest: Newest; interval: number } | null {
    if (this.known.has(service)) return null;
    const newest = this.newest.get(service);
    const interval = newest ? this.batchInterval(newest) : null;
    return newest && interval !== null ? { newest, interval } : null;
  }

  /**
   * How long a service is silent before it has stopped: two of its batch intervals, or of what looks like its
   * first batch (between it and the second, read as stopped 3 s after it, its seconds were zeros: a page loaded
   * then read 12/s for 20/s until that bucket was read again); 3 s for one reporting as things happen.
   */
  private stoppedAfter(newest: Newest, batches: number | null): number {
    if (batches !== null) return 2 * batches;
    return newest.firstBatch ? 2 * lateSeconds(newest) : STOPPED_AFTER_MS;
  }

  /** The interval of a service sending in batches (its lateness as of its newest data, in whole seconds), else null. */
  private batchInterval(newest: Newest): number | null {
    const again = newest.at - newest.lateAt[0] <= 2 * LAG_PERIOD_MS;
    return again && newest.lag.value(newest.at) >= BATCHED_LAG_MS ? lateSeconds(newest) : null;
  }

  /** Whether a span `interval` longer than the known one was seen before, within three of itself; else notes it. */
  private seenTwice(known: Known, interval: number, now: number): boolean {
    if (known.longer && known.longer.interval === interval && now - known.longer.at < 3 * interval) return true;
    known.longer = { interval, at: now };
    return false;
  }

  private save(): void {
    const stored = [...this.known].map(([s, { interval, until }]): [string, Stored] => [
      s,
      Number.isFinite(until) ? { interval, until } : interval,
    ]);
    this.persist(JSON.stringify(Object.fromEntries(stored)));
  }
}

/**
 * Notes the newest report of each instance in `reported`, and drops those whose newest report ends more than two
 * intervals before the service's: stopped (a pod replaced), they no longer hold its data back. Two, so one
 * lost export (the next spans both intervals) does not count an instance as stopped.
 */
function noteInstances(known: Known, reported: Reported): void {
  if (!reported.instances) return;
  const ends = addInstanceEnds(known, reported.instances);
  for (const [instance, until] of ends) if (known.until - until > 2 * known.interval) ends.delete(instance);
}

/**
 * Where every instance of the service still exporting has reported up to: the earliest end of their newest
 * reports. Each export holds one instance's requests since its previous one; several instances export at
 * different moments, and the time after the earliest has some instances' requests only. One whose newest
 * report ended more than two intervals before `now` has stopped (with the others, or all of them have): what
 * it sent is all there is, and waiting for it hid the others' last exports for good.
 */
function everyInstanceUntil(known: Known, now: number): number {
  let until = known.until;
  if (!Number.isFinite(until)) return until;
  for (const end of known.instances?.values() ?? []) {
    if (now - end <= 2 * known.interval) until = Math.min(until, end);
  }
  return until;
}

/** How late a service's newest data was, as of its newest commit, rounded up to whole seconds (ms). */
function lateSeconds(newest: Newest): number {
  return Math.ceil(newest.lag.value(newest.at) / SECOND) * SECOND;
}
