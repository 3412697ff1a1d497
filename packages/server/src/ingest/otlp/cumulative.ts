import type { CumulativeState } from '../../store/store.ts';
import { type CumulativeValue, decodeValue, encodeValue, subtract } from './cumulative-values.ts';

/** One point of a cumulative series, identified by its series key. */
export interface CumulativePoint {
  key: string;
  start: number;
  time: number;
  value: CumulativeValue;
}

/** What the tracker needs of a point: its series, times, and its value as stored text (`encodeValue`). */
export interface CumulativeHead {
  key: string;
  start: number;
  time: number;
  state: string;
}

/**
 * What to do with one point: `null` skip it (a retried or stale point), `0` count its value in full (the
 * first point of its series, or a new start time), or a string: the stored text of the point before it,
 * to subtract (a drop below it is a reset, which also counts in full; see `deltaOf`).
 */
export type Decision = string | 0 | null;

export interface Delta<P extends CumulativePoint> {
  point: P;
  value: CumulativeValue;
  /** The first point of its series, or the first after a reset: the value counts in full. */
  fresh: boolean;
}

export type NextStates = Map<string, { start: number; time: number; state: string }>;

export function headOf(point: CumulativePoint): CumulativeHead {
  return { key: point.key, start: point.start, time: point.time, state: encodeValue(point.value) };
}

/** The delta a decision (other than skip) gives for `point`. */
export function deltaOf<P extends CumulativePoint>(point: P, decision: string | 0): Delta<P> {
  const previous = decision === 0 ? null : decodeValue(decision);
  const delta = previous ? subtract(point.value, previous) : null;
  return delta ? { point, value: delta, fresh: false } : { point, value: point.value, fresh: true };
}

/**
 * Decides how cumulative points become deltas, against the last point of each series. `plan` is pure with
 * respect to the tracker: it returns the next states, which the caller commits to the store in the same
 * transaction as the deltas and then to memory with `commit`. A failed write therefore leaves both the
 * store and this memory where they were, and the sender's retry is planned against the same point again.
 *
 * Values stay as their stored text here: the subtraction itself (`deltaOf`) runs where the points were
 * decoded (a decode worker), so the main thread only compares keys and times.
 *
 * Rules: the first point of a series counts in full; a new (later) start time, or a value lower than the
 * last, is a reset and counts in full; a point no newer than the last (a retried export) counts nothing,
 * and one from an older start time is stale and ignored.
 */
export class CumulativeTracker {
  private readonly last = new Map<string, { start: number; time: number; state: string }>();

  constructor(rows: readonly CumulativeState[]) {
    for (const row of rows) this.last.set(row.key, { start: row.start, time: row.time, state: row.state });
  }

  /** One decision per head, in the heads' order; several points of one series chain in time order. */
  plan(heads: readonly CumulativeHead[]): { decisions: Decision[]; next: NextStates } {
    const order = heads.map((_, i) => i);
    order.sort((a, b) => {
      const x = heads[a]!;
      const y = heads[b]!;
      return x.key < y.key ? -1 : x.key > y.key ? 1 : x.time - y.time;
    });
    const next: NextStates = new Map();
    const decisions: Decision[] = new Array<Decision>(heads.length).fill(null);
    for (const i of order) {
      const head = heads[i]!;
      const previous = next.get(head.key) ?? this.last.get(head.key);
      if (previous && (head.start < previous.start || (head.start === previous.start && head.time <= previous.time))) {
        continue;
      }
      decisions[i] = previous && head.start === previous.start ? previous.state : 0;
      next.set(head.key, { start: head.start, time: head.time, state: head.state });
    }
    return { decisions, next };
  }

  /** The rows that make `next` durable, for `Aggregator.submit`. */
  rows(next: NextStates): CumulativeState[] {
    return [...next].map(([key, s]) => ({ key, start: s.start, time: s.time, state: s.state }));
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
}
