import type { CumulativeState } from '../../store/store.ts';
import { type CumulativeValue, decodeValue, encodeValue, subtract } from './cumulative-values.ts';

/** One point of a cumulative series, identified by its series key. */
export interface CumulativePoint {
  key: string;
  start: number;
  time: number;
  value: CumulativeValue;
}

export interface Delta<P extends CumulativePoint> {
  point: P;
  value: CumulativeValue;
  /** The first point of its series, or the first after a reset: the value counts in full. */
  fresh: boolean;
  /**
   * The first point the server has seen of its process, which may have run long before (see `spreadLimit`):
   * no earlier point of the series, or only an unreadable one, or a newer start that began before the series'
   * last point (a replica without its own instance id). Not a restart's (a start after the last point),
   * which counts since that start.
   */
  first: boolean;
  /** Where the delta's interval starts: the point subtracted's time, or the start time when in full. */
  since: number;
  /**
   * Set when the series has other starts than the point's (several processes send it): the point's start,
   * which tells its process apart.
   */
  startShared?: number;
}

interface Last {
  start: number;
  time: number;
  /** Null for stored text this version cannot read: the next point then counts as a first point. */
  value: CumulativeValue | null;
}

/** Per series key, the last point of each of its older starts (other processes sending it), by start time. */
type Others = Map<string, Map<number, Last>>;

/** Older starts kept per series: replicas of one service without their own instance id, and restarts. */
const MAX_OTHER_STARTS = 8;

/** New last points of a request awaiting its commit: of the series' newest starts, and of their other starts. */
interface Held {
  last: Map<string, Last>;
  others: Others;
}

/**
 * The last point of every cumulative series, in the decode worker that turns the series' next points into
 * deltas (points and state meet there, in one message). A request's new last points are held, not yet
 * the series' state, until the main thread says whether the transaction that stores them with the deltas
 * committed (`settle`): a failed write leaves the state where it was, and the sender's retry is diffed
 * against the same point again. Meanwhile a request with points of a held series must wait (`blocked`),
 * or it would subtract a point that may still be rolled back; requests on other series never wait.
 *
 * Rules: the first point of a series counts since its start (`Delta.first`: a long span only in part, see
 * `spreadLimit`); a new (later) start time, or a value lower than the last, is a reset and counts in full; a point no newer than the last (a retried export) counts nothing.
 * Several points of a series in one request chain in time order.
 *
 * A point from an older start time is another process sending the same series (two replicas without their
 * own `service.instance.id`, the SDKs' default), or a straggler from before a restart. With `otherStarts`,
 * each older start keeps its own last point, here only (`others`): the state a newer start replaced, or its
 * first point seen since this process started, which counts nothing (its earlier value is unknown). So the
 * replicas' requests add up; dropped, the service read at half its rate. Without (a store several instances
 * share: each would diff against its own copy, and count another's points again) such points are `older`,
 * refused.
 */
export class CumulativeSeries {
  private readonly last = new Map<string, Last>();
  /** The last point of each older start of a series (see above). */
  private readonly others: Others = new Map();
  /** Per request awaiting its commit, the series it advances and their new last points. */
  private readonly held = new Map<number, Held>();
  /** The series held by a request awaiting its commit. */
  private readonly holders = new Set<string>();

  constructor(
    rows: readonly CumulativeState[],
    private readonly otherStarts = true,
  ) {
    for (const row of rows) {
      if (!row.key.endsWith(OTHER_STARTS_SUFFIX)) {
        this.last.set(row.key, { start: row.start, time: row.time, value: decodeValue(row.state) });
      } else if (otherStarts) {
        const key = row.key.slice(0, -OTHER_STARTS_SUFFIX.length);
        for (const last of decodeOtherStarts(row.state)) setOther(this.others, key, last);
      }
    }
  }

  /** Whether a point's series is held by a request not yet settled. */
  blocked(points: readonly CumulativePoint[]): boolean {
    return points.some((p) => this.holders.has(p.key));
  }

  /**
   * The deltas of request `request`'s points (in their order; retried points give none), the rows that store
   * the series' new states, and, without `otherStarts`, the points that start before their series' current
   * start (`older`: from before a restart, or from a second process sending the same series). The series stay
   * held until `settle(request, ...)`.
   */
  advance<P extends CumulativePoint>(
    request: number,
    points: readonly P[],
  ): { deltas: Delta<P>[]; rows: CumulativeState[]; older: P[] } {
    const bySeries = new Map<string, P[]>();
    for (const p of points) {
      const group = bySeries.get(p.key);
      if (group) group.push(p);
      else bySeries.set(p.key, [p]);
    }
    const deltaOf = new Map<P, Delta<P>>();
    const next = new Map<string, Last>();
    const others: Others = new Map();
    const rows: CumulativeState[] = [];
    const older: P[] = [];
    for (const [key, group] of bySeries) {
      // Stable: points of one time keep their order.
      if (group.length > 1) group.sort((a, b) => a.time - b.time);
      let last = this.last.get(key);
      const before = last;
      for (const p of group) {
        if (last && p.start < last.start) {
          if (!this.otherStarts) older.push(p);
          else this.advanceOther(key, p, others, deltaOf);
          continue;
        }
        if (last && p.start === last.start && p.time <= last.time) continue;
        // A newer start: the process it replaces may go on (another replica), from where it was.
        if (last && p.start > last.start && this.otherStarts) setOther(others, key, last);
        const previous = last && p.start === last.start ? last.value : null;
        const first = !last || (p.start === last.start ? last.value === null : p.start < last.time);
        const delta = deltaFrom(p, previous, last?.time, first);
        if (others.has(key) || this.others.has(key)) delta.startShared = p.start;
        deltaOf.set(p, delta);
        last = { start: p.start, time: p.time, value: p.value };
      }
      if (last && last !== before) {
        next.set(key, last);
        rows.push({
          key,
          start: last.start,
          time: last.time,
          state: encodeValue(last.value!),
          after: before ? { start: before.start, time: before.time } : null,
        });
      }
    }
    // A series' older starts are stored too, all in one row, so a restart of this server goes on diffing them.
    for (const [key, starts] of others) {
      const all: Others = new Map([[key, new Map(this.others.get(key))]]);
      for (const last of starts.values()) setOther(all, key, last);
      rows.push(otherStartsRow(key, [...all.get(key)!.values()]));
    }
    if (next.size > 0 || others.size > 0) {
      this.held.set(request, { last: next, others });
      for (const key of [...next.keys(), ...others.keys()]) this.holders.add(key);
    }
    const deltas: Delta<P>[] = [];
    for (const p of points) {
      const delta = deltaOf.get(p);
      if (delta) deltas.push(delta);
    }
    return { deltas, rows, older };
  }

  /**
   * Point `p` of an older start than its series' newest: the difference from that start's last point, which
   * it becomes (held in `others` until settled); nothing when that start's last point is unknown or newer.
   */
  private advanceOther<P extends CumulativePoint>(key: string, p: P, others: Others, deltaOf: Map<P, Delta<P>>): void {
    const last = others.get(key)?.get(p.start) ?? this.others.get(key)?.get(p.start);
    if (last && p.time <= last.time) return;
    if (last) deltaOf.set(p, { ...deltaFrom(p, last.value, last.time, last.value === null), startShared: p.start });
    setOther(others, key, { start: p.start, time: p.time, value: p.value });
  }

  /** Whether request `request` holds series until it settles. */
  holds(request: number): boolean {
    return this.held.has(request);
  }

  /** Request `request`'s rows committed (its points become the series' state) or did not (they are dropped). */
  settle(request: number, committed: boolean): void {
    const held = this.held.get(request);
    if (!held) return;
    this.held.delete(request);
    for (const [key, last] of held.last) {
      if (committed) this.last.set(key, last);
      this.holders.delete(key);
    }
    for (const [key, starts] of held.others) {
      if (committed) for (const last of starts.values()) setOther(this.others, key, last);
      this.holders.delete(key);
    }
  }

  /**
   * Replaces the state of series another instance moved on with what is stored (`current`), and drops those
   * no longer stored (`missing`); see `StaleCumulativeError`.
   */
  reload(current: readonly CumulativeState[], missing: readonly string[]): void {
    for (const row of current)
      this.last.set(row.key, { start: row.start, time: row.time, value: decodeValue(row.state) });
    for (const key of missing) this.last.delete(key);
  }

  /** Drops the state of every series of `service` (its data was deleted): its next point counts as a first. */
  forgetService(service: string): void {
    const prefix = `${service}\u0000`;
    for (const key of this.last.keys()) if (key.startsWith(prefix)) this.last.delete(key);
    for (const key of this.others.keys()) if (key.startsWith(prefix)) this.others.delete(key);
  }

  /** Drops the state of every series (and older start) whose last point is older than `time`. */
  forgetBefore(time: number): void {
    for (const [key, s] of this.last) if (s.time < time) this.last.delete(key);
    for (const [key, starts] of this.others) {
      for (const [start, s] of starts) if (s.time < time) starts.delete(start);
      if (starts.size === 0) this.others.delete(key);
    }
  }

  get size(): number {
    return this.last.size;
  }
}

/**
 * The stored key of an older start's last point: its series' key and start after a third NUL (a series key has
 * two: after the service and the name; its attributes are JSON, where a NUL is escaped).
 */
const OTHER_STARTS_SUFFIX = '\u0000others';

/**
 * The stored row of a series' older starts: keyed by its key and a third NUL (a series key has two, after the
 * service and the name; its attributes are JSON, where a NUL is escaped), the starts' last points as JSON
 * `[start, time, state]` triples. One row a series, rewritten whole: a sender whose start moves every export
 * replaces starts in it instead of adding rows. Its time is the newest start's, so it is forgotten with them.
 */
function otherStartsRow(key: string, starts: readonly Last[]): CumulativeState {
  const kept = starts.filter((s) => s.value !== null);
  return {
    key: `${key}${OTHER_STARTS_SUFFIX}`,
    start: Math.max(0, ...kept.map((s) => s.start)),
    time: Math.max(0, ...kept.map((s) => s.time)),
    state: JSON.stringify(kept.map((s) => [s.start, s.time, encodeValue(s.value!)])),
  };
}

/** The older starts of a stored row (see `otherStartsRow`); none when it cannot be read. */
function decodeOtherStarts(text: string): Last[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.flatMap((item: unknown) => {
    if (!Array.isArray(item) || item.length !== 3) return [];
    const [start, time, state] = item as unknown[];
    if (typeof start !== 'number' || typeof time !== 'number' || typeof state !== 'string') return [];
    const value = decodeValue(state);
    return value ? [{ start, time, value }] : [];
  });
}

/**
 * Sets the last point of an older start of series `key`; past `MAX_OTHER_STARTS`, the start heard from
 * longest ago goes (a sender whose start time moves every export would otherwise add one for each).
 */
function setOther(others: Others, key: string, last: Last): void {
  let starts = others.get(key);
  if (!starts) others.set(key, (starts = new Map()));
  starts.set(last.start, last);
  if (starts.size <= MAX_OTHER_STARTS) return;
  let oldest: Last | undefined;
  for (const s of starts.values()) if (!oldest || s.time < oldest.time) oldest = s;
  starts.delete(oldest!.start);
}

/**
 * Point `p`'s delta from the previous point of its start (`previous`, at `previousTime`), or in full over
 * the interval since its start when there is none (`first` when the server has seen nothing of its process),
 * or it dropped below it (a reset).
 */
function deltaFrom<P extends CumulativePoint>(
  p: P,
  previous: CumulativeValue | null,
  previousTime: number | undefined,
  first: boolean,
): Delta<P> {
  if (!previous || previousTime === undefined) return { point: p, value: p.value, fresh: true, first, since: p.start };
  const delta = subtract(p.value, previous);
  // Lower than the last point of the same start: the counter was reset without a new start, and counted its
  // value since then, somewhere after the last point (as Prometheus' increase() reads a reset). Spread over
  // the series' whole life, it read as nothing now and rewrote buckets the dashboard had shown.
  return delta
    ? { point: p, value: delta, fresh: false, first: false, since: previousTime }
    : { point: p, value: p.value, fresh: true, first: false, since: previousTime };
}
