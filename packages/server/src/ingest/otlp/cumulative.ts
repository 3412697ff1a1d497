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
  /** Where the delta's interval starts: the point subtracted's time, or the start time when in full. */
  since: number;
}

interface Last {
  start: number;
  time: number;
  /** Null for stored text this version cannot read: the next point then counts in full. */
  value: CumulativeValue | null;
}

/**
 * The last point of every cumulative series, in the decode worker that turns the series' next points into
 * deltas (points and state meet there, in one message). A request's new last points are held, not yet
 * the series' state, until the main thread says whether the transaction that stores them with the deltas
 * committed (`settle`): a failed write leaves the state where it was, and the sender's retry is diffed
 * against the same point again. Meanwhile a request with points of a held series must wait (`blocked`),
 * or it would subtract a point that may still be rolled back; requests on other series never wait.
 *
 * Rules: the first point of a series counts in full; a new (later) start time, or a value lower than the
 * last, is a reset and counts in full; a point no newer than the last (a retried export) counts nothing,
 * and one from an older start time is stale and ignored. Several points of a series in one request chain
 * in time order.
 */
export class CumulativeSeries {
  private readonly last = new Map<string, Last>();
  /** Per request awaiting its commit, the series it advances and their new last points. */
  private readonly held = new Map<number, Map<string, Last>>();
  /** The series held by a request awaiting its commit. */
  private readonly holders = new Set<string>();

  constructor(rows: readonly CumulativeState[]) {
    for (const row of rows) this.last.set(row.key, { start: row.start, time: row.time, value: decodeValue(row.state) });
  }

  /** Whether a point's series is held by a request not yet settled. */
  blocked(points: readonly CumulativePoint[]): boolean {
    return points.some((p) => this.holders.has(p.key));
  }

  /**
   * The deltas of request `request`'s points (in their order; retried and stale points give none), the rows
   * that store the series' new states, and the points that start before their series' current start (`older`:
   * from before a restart, or from a second process sending the same series). The series stay held until
   * `settle(request, ...)`.
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
    const rows: CumulativeState[] = [];
    const older: P[] = [];
    for (const [key, group] of bySeries) {
      // Stable: points of one time keep their order.
      if (group.length > 1) group.sort((a, b) => a.time - b.time);
      let last = this.last.get(key);
      const before = last;
      for (const p of group) {
        if (last && p.start < last.start) {
          older.push(p);
          continue;
        }
        if (last && p.start === last.start && p.time <= last.time) continue;
        const previous = last && p.start === last.start ? last.value : null;
        const delta = previous ? subtract(p.value, previous) : null;
        // A reset (a drop below the point subtracted) counts in full, over the interval since its start.
        deltaOf.set(
          p,
          delta && last
            ? { point: p, value: delta, fresh: false, since: last.time }
            : { point: p, value: p.value, fresh: true, since: p.start },
        );
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
    if (next.size > 0) {
      this.held.set(request, next);
      for (const key of next.keys()) this.holders.add(key);
    }
    const deltas: Delta<P>[] = [];
    for (const p of points) {
      const delta = deltaOf.get(p);
      if (delta) deltas.push(delta);
    }
    return { deltas, rows, older };
  }

  /** Request `request`'s rows committed (its points become the series' state) or did not (they are dropped). */
  settle(request: number, committed: boolean): void {
    const next = this.held.get(request);
    if (!next) return;
    this.held.delete(request);
    for (const [key, last] of next) {
      if (committed) this.last.set(key, last);
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

  /** Drops the state of every series of `service` (its data was deleted): its next point counts in full. */
  forgetService(service: string): void {
    const prefix = `${service}\u0000`;
    for (const key of this.last.keys()) if (key.startsWith(prefix)) this.last.delete(key);
  }

  /** Drops the state of every series whose last point is older than `time`. */
  forgetBefore(time: number): void {
    for (const [key, s] of this.last) if (s.time < time) this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
