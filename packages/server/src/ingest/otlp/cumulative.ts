import type { CumulativeState } from '../../store/store.ts';
import { type CumulativeValue, decodeValue, encodeValue, subtract } from './cumulative-values.ts';

/** One point of a cumulative series, identified by its series key. */
export interface CumulativePoint {
  key: string;
  start: number;
  time: number;
  value: CumulativeValue;
}

/** What the tracker needs of a point: its series and times (values stay where the points were decoded). */
export interface CumulativeHead {
  key: string;
  start: number;
  time: number;
}

/**
 * What to do with one point: `null` skip it (a retried or stale point), `0` count its value in full (the
 * first point of its series, or a new start time), or the point before it, to subtract: the stored text of
 * the series' last state, or `{ after: i }`, point i of the same request (a drop below it is a reset, which
 * also counts in full; see `deltaOf`).
 */
export type Decision = string | 0 | null | { after: number };

export interface Delta<P extends CumulativePoint> {
  point: P;
  value: CumulativeValue;
  /** The first point of its series, or the first after a reset: the value counts in full. */
  fresh: boolean;
}

/** Per series, the point of a request whose value becomes the series' state, by its index in the request. */
export type PlannedStates = Map<string, { start: number; time: number; point: number }>;
/** Per series, the state to store, as text. */
export type NextStates = Map<string, { start: number; time: number; state: string }>;

export function headOf(point: CumulativePoint): CumulativeHead {
  return { key: point.key, start: point.start, time: point.time };
}

/** The delta a decision (other than skip) gives for point `i` of a request's `points`. */
export function deltaOf<P extends CumulativePoint>(
  points: readonly P[],
  i: number,
  decision: Exclude<Decision, null>,
): Delta<P> {
  const point = points[i]!;
  const previous =
    decision === 0 ? null : typeof decision === 'string' ? decodeValue(decision) : points[decision.after]!.value;
  const delta = previous ? subtract(point.value, previous) : null;
  return delta ? { point, value: delta, fresh: false } : { point, value: point.value, fresh: true };
}

/** The points whose values become states, in the planned order. */
export function finalPoints(planned: PlannedStates): number[] {
  return Array.from(planned.values(), (s) => s.point);
}

/** The stored text of the values of `finals` (see `finalPoints`), where the points are. */
export function statesOf(points: readonly CumulativePoint[], finals: readonly number[]): string[] {
  return finals.map((i) => encodeValue(points[i]!.value));
}

/** The planned states with their text (`states` in the planned order). */
export function withStates(planned: PlannedStates, states: readonly string[]): NextStates {
  if (states.length !== planned.size) throw new Error('cumulative states do not match the plan');
  const next: NextStates = new Map();
  let i = 0;
  for (const [key, s] of planned) next.set(key, { start: s.start, time: s.time, state: states[i++]! });
  return next;
}

/**
 * Decides how cumulative points become deltas, against the last point of each series. `plan` is pure with
 * respect to the tracker: it returns the next states, which the caller commits to the store in the same
 * transaction as the deltas and then to memory with `commit`. A failed write therefore leaves both the
 * store and this memory where they were, and the sender's retry is planned against the same point again.
 *
 * Values stay where the points were decoded (a decode worker): the main thread compares keys and times,
 * the worker subtracts (`deltaOf`) and encodes the states to store (`statesOf`), one per series.
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
  plan(heads: readonly CumulativeHead[]): { decisions: Decision[]; next: PlannedStates } {
    const order = heads.map((_, i) => i);
    order.sort((a, b) => {
      const x = heads[a]!;
      const y = heads[b]!;
      return x.key < y.key ? -1 : x.key > y.key ? 1 : x.time - y.time;
    });
    const next: PlannedStates = new Map();
    const decisions: Decision[] = new Array<Decision>(heads.length).fill(null);
    for (const i of order) {
      const head = heads[i]!;
      const planned = next.get(head.key);
      const previous = planned ?? this.last.get(head.key);
      if (previous && (head.start < previous.start || (head.start === previous.start && head.time <= previous.time))) {
        continue;
      }
      if (!previous || head.start !== previous.start) decisions[i] = 0;
      else decisions[i] = planned ? { after: planned.point } : this.last.get(head.key)!.state;
      next.set(head.key, { start: head.start, time: head.time, point: i });
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
