import type { CumulativeState } from '../../store/store.ts';
import { type CumulativeValue, decodeValue, encodeValue, subtract } from './cumulative-values.ts';

/** One point of a cumulative series, identified by its series key. */
export interface CumulativePoint {
  key: string;
  start: number;
  time: number;
  value: CumulativeValue;
}

/**
 * What the tracker needs of a request's points: their series keys, each once, and per point its key's index,
 * start and time, packed (values stay where the points were decoded). Typed arrays cross threads as one
 * block, where an object per point cost the main thread its copy and its garbage.
 */
export interface CumulativeHeads {
  keys: string[];
  /** Per point: key index, start, time. */
  points: Float64Array;
}

/**
 * What to do with each point (see `plan`): `codes[i]` is SKIP (a retried or stale point), FULL (count its
 * value in full: the first point of its series, or a new start time), j >= 0 (subtract point j of the same
 * request), or STORED - k (subtract the series' stored state `stored[k]`). A drop below the point subtracted
 * is a reset, which also counts in full (`deltaOf`).
 */
export interface Decisions {
  codes: Int32Array;
  stored: string[];
  /** Per point, where its delta's interval starts: the point subtracted's time, or its start time when in full. */
  since: Float64Array;
}
export const SKIP = -1;
export const FULL = -2;
const STORED = -3;

export interface Delta<P extends CumulativePoint> {
  point: P;
  value: CumulativeValue;
  /** The first point of its series, or the first after a reset: the value counts in full. */
  fresh: boolean;
  /** Where the delta's interval starts (see Decisions.since). */
  since: number;
}

/** Per series, the point of a request whose value becomes the series' state, by its index in the request. */
export type PlannedStates = Map<string, { start: number; time: number; point: number }>;
/** Per series, the state to store, as text. */
export type NextStates = Map<string, { start: number; time: number; state: string }>;

export function headsOf(points: readonly CumulativePoint[]): CumulativeHeads {
  const keys: string[] = [];
  const index = new Map<string, number>();
  const packed = new Float64Array(points.length * 3);
  points.forEach((p, i) => {
    let k = index.get(p.key);
    if (k === undefined) index.set(p.key, (k = keys.push(p.key) - 1));
    packed[i * 3] = k;
    packed[i * 3 + 1] = p.start;
    packed[i * 3 + 2] = p.time;
  });
  return { keys, points: packed };
}

/** A request's points by index: an array, or the worker's packed form (`PendingPoints`). */
export interface PointList<P extends CumulativePoint> {
  at(index: number): P | undefined;
}

/** The delta that decision `i` (other than SKIP) gives for point `i` of a request's `points`. */
export function deltaOf<P extends CumulativePoint>(points: PointList<P>, i: number, decisions: Decisions): Delta<P> {
  const point = points.at(i)!;
  const code = decisions.codes[i]!;
  const previous =
    code === FULL ? null : code >= 0 ? points.at(code)!.value : decodeValue(decisions.stored[STORED - code]!);
  const delta = previous ? subtract(point.value, previous) : null;
  // A reset (a drop below the point subtracted) counts in full, over the interval since its start.
  return delta
    ? { point, value: delta, fresh: false, since: decisions.since[i]! }
    : { point, value: point.value, fresh: true, since: point.start };
}

/** The points whose values become states, in the planned order. */
export function finalPoints(planned: PlannedStates): number[] {
  return Array.from(planned.values(), (s) => s.point);
}

/** The stored text of the values of `finals` (see `finalPoints`), where the points are. */
export function statesOf(points: PointList<CumulativePoint>, finals: readonly number[]): string[] {
  return finals.map((i) => encodeValue(points.at(i)!.value));
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

  /** A decision per point, in the points' order; several points of one series chain in time order. */
  plan({ keys, points }: CumulativeHeads): { decisions: Decisions; next: PlannedStates } {
    const { order, starts } = byKeyThenTime(keys.length, points);
    const next: PlannedStates = new Map();
    const decisions: Decisions = {
      codes: new Int32Array(order.length).fill(SKIP),
      stored: [],
      since: new Float64Array(order.length),
    };
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      const stored = this.last.get(key);
      let known = stored !== undefined;
      let lastStart = stored?.start ?? 0;
      let lastTime = stored?.time ?? 0;
      let planned = -1;
      for (let g = starts[k]!; g < starts[k + 1]!; g++) {
        const i = order[g]!;
        const start = points[i * 3 + 1]!;
        const time = points[i * 3 + 2]!;
        if (known && (start < lastStart || (start === lastStart && time <= lastTime))) continue;
        decisions.since[i] = !known || start !== lastStart ? start : lastTime;
        if (!known || start !== lastStart) decisions.codes[i] = FULL;
        else if (planned >= 0) decisions.codes[i] = planned;
        else decisions.codes[i] = STORED - (decisions.stored.push(stored!.state) - 1);
        known = true;
        lastStart = start;
        lastTime = time;
        planned = i;
      }
      if (planned >= 0) next.set(key, { start: lastStart, time: lastTime, point: planned });
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

  /** Drops the state of every series whose last point is older than `time`. */
  forgetBefore(time: number): void {
    for (const [key, s] of this.last) if (s.time < time) this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}

/**
 * The points' indices grouped by series (`starts[k]` to `starts[k + 1]` for key k), each series' points in
 * time order. A counting pass rather than one sort of text keys: planning is main-thread work per point.
 */
function byKeyThenTime(keyCount: number, points: Float64Array): { order: Int32Array; starts: Int32Array } {
  const n = points.length / 3;
  const starts = new Int32Array(keyCount + 1);
  for (let i = 0; i < n; i++) starts[points[i * 3]! + 1]!++;
  for (let k = 0; k < keyCount; k++) starts[k + 1]! += starts[k]!;
  const order = new Int32Array(n);
  const fill = starts.slice(0, keyCount);
  for (let i = 0; i < n; i++) order[fill[points[i * 3]!]!++] = i;
  const timeOf = (i: number) => points[i * 3 + 2]!;
  for (let k = 0; k < keyCount; k++) {
    const group = order.subarray(starts[k]!, starts[k + 1]!);
    for (let g = 1; g < group.length; g++) {
      if (timeOf(group[g]!) < timeOf(group[g - 1]!)) {
        group.sort((a, b) => timeOf(a) - timeOf(b) || a - b);
        break;
      }
    }
  }
  return { order, starts };
}
