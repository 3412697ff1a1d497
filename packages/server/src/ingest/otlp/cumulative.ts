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
}

interface Last {
  start: number;
  time: number;
  /** Kept as stored text until first needed: most series loaded at start are never touched again. */
  value: CumulativeValue | string;
}

export type NextStates = Map<string, { start: number; time: number; value: CumulativeValue }>;

/**
 * Turns cumulative points into deltas against the last point of each series. `diff` is pure with respect
 * to the tracker: it returns the next states, which the caller commits to the store in the same
 * transaction as the deltas and then to memory with `commit`. A failed write therefore leaves both the
 * store and this memory where they were, and the sender's retry is diffed against the same point again.
 *
 * Rules: the first point of a series counts in full; a new (later) start time, or a value lower than the
 * last, is a reset and counts in full; a point no newer than the last (a retried export) counts nothing,
 * and one from an older start time is stale and ignored.
 */
export class CumulativeTracker {
  private readonly last = new Map<string, Last>();

  constructor(rows: readonly CumulativeState[]) {
    for (const row of rows) this.last.set(row.key, { start: row.start, time: row.time, value: row.state });
  }

  diff<P extends CumulativePoint>(points: readonly P[]): { deltas: Delta<P>[]; next: NextStates } {
    const ordered = [...points].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.time - b.time));
    const next: NextStates = new Map();
    const deltas: Delta<P>[] = [];
    for (const point of ordered) {
      const previous = next.get(point.key) ?? this.committed(point.key);
      if (
        previous &&
        (point.start < previous.start || (point.start === previous.start && point.time <= previous.time))
      ) {
        continue;
      }
      const delta = previous && point.start === previous.start ? subtract(point.value, previous.value) : null;
      deltas.push(delta ? { point, value: delta, fresh: false } : { point, value: point.value, fresh: true });
      next.set(point.key, { start: point.start, time: point.time, value: point.value });
    }
    return { deltas, next };
  }

  /** The rows that make `next` durable, for `Aggregator.submit`. */
  rows(next: NextStates): CumulativeState[] {
    return [...next].map(([key, s]) => ({ key, start: s.start, time: s.time, state: encodeValue(s.value) }));
  }

  /** Call only once the rows from `rows(next)` have committed. */
  commit(next: NextStates): void {
    for (const [key, s] of next) this.last.set(key, s);
  }

  /** Drops the state of every series of `service` (its data was deleted): its next point counts in full. */
  forgetService(service: string): void {
    const prefix = `${service}\u0000`;
    for (const key of this.last.keys()) if (key.startsWith(prefix)) this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }

  private committed(key: string): { start: number; time: number; value: CumulativeValue } | undefined {
    const last = this.last.get(key);
    if (!last) return undefined;
    if (typeof last.value === 'string') {
      const value = decodeValue(last.value);
      // Unreadable state (another version's): start the series afresh rather than fail every export.
      if (!value) return undefined;
      last.value = value;
    }
    return last as { start: number; time: number; value: CumulativeValue };
  }
}
