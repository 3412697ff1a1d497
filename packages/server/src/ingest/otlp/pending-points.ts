import type { SeriesIdentity } from '../../model.ts';
import type { PendingCumulative } from './convert.ts';
import type { Buckets, CumulativeValue } from './cumulative-values.ts';

/** Each point's fields, at these offsets in its WIDTH numbers. */
const F = {
  series: 0,
  point: 1,
  start: 2,
  time: 3,
  /** The unit factor (seconds -> ms), see PendingCumulative. */
  scale: 4,
  type: 5,
  /** A sum's value, or a distribution's count. */
  count: 6,
  sum: 7,
  min: 8,
  max: 9,
  /** Which of sum, min and max are null (SUM_NULL | MIN_NULL | MAX_NULL). */
  nulls: 10,
  /** A histogram's bounds, as an index in `layouts`. */
  layout: 11,
  /** An exponential histogram's scale and zero count. */
  exponentialScale: 12,
  zeroCount: 13,
  /** Where the point's numbers start in `numbers`: counts, or two offsets then positive and negative counts. */
  numbers: 14,
  /** Histogram counts, or positive counts. */
  firstLength: 15,
  /** Negative counts. */
  secondLength: 16,
} as const;
const WIDTH = Object.keys(F).length;
const TYPES = ['sum', 'histogram', 'exponential'] as const;
const SUM_NULL = 1;
const MIN_NULL = 2;
const MAX_NULL = 4;

/**
 * A request's cumulative points while they wait in the decode worker for the main thread's decisions, kept
 * as two typed arrays plus each series and bucket layout once. The wait spans other requests' work (the
 * main thread commits the same series' previous request first): held as ~4 objects each, the points lived
 * through young-generation collections and were copied and promoted, and collecting them took ~30 % of
 * the worker's time. `at(i)` rebuilds point i as the object the delta code reads, garbage that dies young.
 */
export class PendingPoints {
  readonly length: number;
  private readonly series: { identity: SeriesIdentity; key: string }[] = [];
  private readonly layouts: (readonly number[])[] = [];
  private readonly fields: Float64Array;
  private readonly numbers: Float64Array;

  constructor(points: readonly PendingCumulative[]) {
    this.length = points.length;
    this.fields = new Float64Array(points.length * WIDTH);
    let total = 0;
    for (const p of points) total += numbersOf(p.value);
    this.numbers = new Float64Array(total);
    const seriesIndex = new Map<string, number>();
    const layoutIndex = new Map<readonly number[], number>();
    let next = 0;
    points.forEach((p, i) => {
      let s = seriesIndex.get(p.key);
      if (s === undefined) seriesIndex.set(p.key, (s = this.series.push({ identity: p.identity, key: p.key }) - 1));
      const f = this.fields;
      const o = i * WIDTH;
      f[o + F.series] = s;
      f[o + F.point] = p.point;
      f[o + F.start] = p.start;
      f[o + F.time] = p.time;
      f[o + F.scale] = p.scale;
      f[o + F.numbers] = next;
      const v = p.value;
      f[o + F.type] = TYPES.indexOf(v.type);
      if (v.type === 'sum') {
        f[o + F.count] = v.value;
        return;
      }
      f[o + F.count] = v.count;
      f[o + F.sum] = v.sum ?? 0;
      f[o + F.min] = v.min ?? 0;
      f[o + F.max] = v.max ?? 0;
      f[o + F.nulls] =
        (v.sum === null ? SUM_NULL : 0) | (v.min === null ? MIN_NULL : 0) | (v.max === null ? MAX_NULL : 0);
      if (v.type === 'histogram') {
        let l = layoutIndex.get(v.bounds);
        if (l === undefined) layoutIndex.set(v.bounds, (l = this.layouts.push(v.bounds) - 1));
        f[o + F.layout] = l;
        f[o + F.firstLength] = v.counts.length;
        this.numbers.set(v.counts, next);
        next += v.counts.length;
      } else {
        f[o + F.exponentialScale] = v.scale;
        f[o + F.zeroCount] = v.zeroCount;
        f[o + F.firstLength] = v.positive.counts.length;
        f[o + F.secondLength] = v.negative.counts.length;
        // The two offsets go first among the point's numbers.
        this.numbers[next] = v.positive.offset;
        this.numbers[next + 1] = v.negative.offset;
        this.numbers.set(v.positive.counts, next + 2);
        this.numbers.set(v.negative.counts, next + 2 + v.positive.counts.length);
        next += 2 + v.positive.counts.length + v.negative.counts.length;
      }
    });
  }

  /** Point i as it was given, rebuilt (undefined past the end, as for an array). */
  at(i: number): PendingCumulative | undefined {
    if (i < 0 || i >= this.length) return undefined;
    const f = this.fields;
    const o = i * WIDTH;
    const { identity, key } = this.series[f[o + F.series]!]!;
    const value = this.valueAt(o);
    return {
      point: f[o + F.point]!,
      identity,
      key,
      start: f[o + F.start]!,
      time: f[o + F.time]!,
      scale: f[o + F.scale]!,
      value,
    };
  }

  private valueAt(o: number): CumulativeValue {
    const f = this.fields;
    const type = TYPES[f[o + F.type]!]!;
    if (type === 'sum') return { type, value: f[o + F.count]! };
    const nulls = f[o + F.nulls]!;
    const count = f[o + F.count]!;
    const sum = nulls & SUM_NULL ? null : f[o + F.sum]!;
    const min = nulls & MIN_NULL ? null : f[o + F.min]!;
    const max = nulls & MAX_NULL ? null : f[o + F.max]!;
    const start = f[o + F.numbers]!;
    if (type === 'histogram') {
      const bounds = this.layouts[f[o + F.layout]!]!;
      return { type, count, sum, min, max, bounds, counts: this.list(start, f[o + F.firstLength]!) };
    }
    const positive: Buckets = { offset: this.numbers[start]!, counts: this.list(start + 2, f[o + F.firstLength]!) };
    const negative: Buckets = {
      offset: this.numbers[start + 1]!,
      counts: this.list(start + 2 + f[o + F.firstLength]!, f[o + F.secondLength]!),
    };
    return {
      type,
      count,
      sum,
      min,
      max,
      scale: f[o + F.exponentialScale]!,
      zeroCount: f[o + F.zeroCount]!,
      positive,
      negative,
    };
  }

  private list(start: number, length: number): number[] {
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.numbers[start + i]!;
    return out;
  }
}

/** How many numbers a value keeps beside its fixed fields. */
function numbersOf(v: CumulativeValue): number {
  if (v.type === 'sum') return 0;
  if (v.type === 'histogram') return v.counts.length;
  return 2 + v.positive.counts.length + v.negative.counts.length;
}
