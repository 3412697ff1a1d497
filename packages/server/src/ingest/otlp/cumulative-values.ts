/**
 * The values a cumulative OTLP series carries, how two of them subtract into a delta, and how the last one
 * is kept as text in the store. A registry keyed by type, so a new cumulative kind is one entry.
 */

import { sameBounds } from '../../aggregate/explicit-counts.ts';

export interface Buckets {
  offset: number;
  counts: number[];
}

export type CumulativeValue =
  | { type: 'sum'; value: number }
  | {
      type: 'histogram';
      count: number;
      sum: number | null;
      min: number | null;
      max: number | null;
      bounds: readonly number[];
      counts: number[];
    }
  | {
      type: 'exponential';
      count: number;
      sum: number | null;
      min: number | null;
      max: number | null;
      scale: number;
      zeroCount: number;
      positive: Buckets;
      negative: Buckets;
    };

type Of<T extends CumulativeValue['type']> = Extract<CumulativeValue, { type: T }>;

interface Kind<V> {
  /** current - previous, or null when they cannot be one series' progress (a drop, another layout): a reset. */
  subtract(current: V, previous: V): V | null;
  encode(value: V): unknown;
  decode(state: Record<string, unknown>): V | null;
}

const numbers = (v: unknown): v is number[] => Array.isArray(v) && v.every((n) => typeof n === 'number');
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

const KINDS: { [T in CumulativeValue['type']]: Kind<Of<T>> } = {
  sum: {
    subtract: (cur, prev) => (cur.value >= prev.value ? { type: 'sum', value: cur.value - prev.value } : null),
    encode: (v) => ({ v: v.value }),
    decode: (s) => (typeof s.v === 'number' ? { type: 'sum', value: s.v } : null),
  },
  histogram: {
    // Plain loops and one literal: this runs for every cumulative histogram point.
    subtract: (cur, prev) => {
      if (cur.count < prev.count || !sameBounds(cur.bounds, prev.bounds)) return null;
      if (cur.counts.length !== prev.counts.length) return null;
      const counts = new Array<number>(cur.counts.length);
      for (let i = 0; i < counts.length; i++) {
        const c = cur.counts[i]! - prev.counts[i]!;
        if (c < 0) return null;
        counts[i] = c;
      }
      const { bounds, min, max } = cur;
      const count = cur.count - prev.count;
      const sum = difference(cur.sum, prev.sum);
      return { type: 'histogram', count, sum, min, max, bounds, counts };
    },
    encode: (v) => ({ n: v.count, s: v.sum, b: v.bounds, c: v.counts }),
    decode: (s) =>
      typeof s.n === 'number' && numbers(s.b) && numbers(s.c)
        ? { type: 'histogram', count: s.n, sum: num(s.s), min: null, max: null, bounds: s.b, counts: s.c }
        : null,
  },
  exponential: {
    subtract: (cur, prev) => {
      // A running exponential histogram only ever lowers its scale; a higher one means it restarted.
      if (cur.scale > prev.scale || cur.count < prev.count || cur.zeroCount < prev.zeroCount) return null;
      const shift = prev.scale - cur.scale;
      const positive = subtractBuckets(cur.positive, downscale(prev.positive, shift));
      const negative = subtractBuckets(cur.negative, downscale(prev.negative, shift));
      if (!positive || !negative) return null;
      const count = cur.count - prev.count;
      return {
        ...cur,
        count,
        sum: difference(cur.sum, prev.sum),
        zeroCount: cur.zeroCount - prev.zeroCount,
        positive,
        negative,
      };
    },
    encode: (v) => ({
      n: v.count,
      s: v.sum,
      k: v.scale,
      z: v.zeroCount,
      p: [v.positive.offset, ...v.positive.counts],
      q: [v.negative.offset, ...v.negative.counts],
    }),
    decode: (s) => {
      if (typeof s.n !== 'number' || typeof s.k !== 'number' || typeof s.z !== 'number') return null;
      if (!numbers(s.p) || !numbers(s.q) || s.p.length === 0 || s.q.length === 0) return null;
      const buckets = ([offset, ...counts]: number[]): Buckets => ({ offset: offset!, counts });
      return {
        type: 'exponential',
        count: s.n,
        sum: num(s.s),
        min: null,
        max: null,
        scale: s.k,
        zeroCount: s.z,
        positive: buckets(s.p),
        negative: buckets(s.q),
      };
    },
  },
};

const difference = (a: number | null, b: number | null) => (a !== null && b !== null ? a - b : null);

/** Merges 2^shift adjacent buckets into one, as lowering the scale by `shift` does. */
function downscale(b: Buckets, shift: number): Buckets {
  if (shift === 0 || b.counts.length === 0) return b;
  const offset = b.offset >> shift;
  const counts: number[] = [];
  b.counts.forEach((c, j) => {
    const i = ((b.offset + j) >> shift) - offset;
    counts[i] = (counts[i] ?? 0) + c;
  });
  return { offset, counts: Array.from(counts, (c) => c ?? 0) };
}

function subtractBuckets(cur: Buckets, prev: Buckets): Buckets | null {
  const counts = [...cur.counts];
  for (let j = 0; j < prev.counts.length; j++) {
    const c = prev.counts[j]!;
    if (c === 0) continue;
    const i = prev.offset + j - cur.offset;
    if (i < 0 || i >= counts.length || counts[i]! < c) return null;
    counts[i]! -= c;
  }
  return { offset: cur.offset, counts };
}

export function subtract(current: CumulativeValue, previous: CumulativeValue): CumulativeValue | null {
  if (current.type !== previous.type) return null;
  return (KINDS[current.type] as Kind<CumulativeValue>).subtract(current, previous);
}

export function encodeValue(value: CumulativeValue): string {
  return JSON.stringify({ t: value.type, ...((KINDS[value.type] as Kind<CumulativeValue>).encode(value) as object) });
}

/** Null for text that is not a state this version wrote (then the next point starts the series afresh). */
export function decodeValue(text: string): CumulativeValue | null {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof state !== 'object' || state === null) return null;
  const type = (state as { t?: unknown }).t;
  if (typeof type !== 'string' || !Object.hasOwn(KINDS, type)) return null;
  return (KINDS[type as CumulativeValue['type']] as Kind<CumulativeValue>).decode(state as Record<string, unknown>);
}
