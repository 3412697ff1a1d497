import type { SeriesIdentity } from '../../model.ts';
import type { PendingCumulative } from './convert.ts';
import type { Buckets, CumulativeValue } from './cumulative-values.ts';

/** Per point: series, point, start, time, scale, type, count, sum, min, max, a, b, c, numbers start, n1, n2. */
const WIDTH = 16;
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
      f[o] = s;
      f[o + 1] = p.point;
      f[o + 2] = p.start;
      f[o + 3] = p.time;
      f[o + 4] = p.scale;
      f[o + 13] = next;
      const v = p.value;
      f[o + 5] = TYPES.indexOf(v.type);
      if (v.type === 'sum') {
        f[o + 6] = v.value;
        return;
      }
      f[o + 6] = v.count;
      f[o + 7] = v.sum ?? 0;
      f[o + 8] = v.min ?? 0;
      f[o + 9] = v.max ?? 0;
      f[o + 10] = (v.sum === null ? SUM_NULL : 0) | (v.min === null ? MIN_NULL : 0) | (v.max === null ? MAX_NULL : 0);
      if (v.type === 'histogram') {
        let l = layoutIndex.get(v.bounds);
        if (l === undefined) layoutIndex.set(v.bounds, (l = this.layouts.push(v.bounds) - 1));
        f[o + 11] = l;
        f[o + 14] = v.counts.length;
        this.numbers.set(v.counts, next);
        next += v.counts.length;
      } else {
        f[o + 11] = v.scale;
        f[o + 12] = v.zeroCount;
        f[o + 14] = v.positive.counts.length;
        f[o + 15] = v.negative.counts.length;
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
    const { identity, key } = this.series[f[o]!]!;
    const value = this.valueAt(o);
    return { point: f[o + 1]!, identity, key, start: f[o + 2]!, time: f[o + 3]!, scale: f[o + 4]!, value };
  }

  private valueAt(o: number): CumulativeValue {
    const f = this.fields;
    const type = TYPES[f[o + 5]!]!;
    if (type === 'sum') return { type, value: f[o + 6]! };
    const nulls = f[o + 10]!;
    const count = f[o + 6]!;
    const sum = nulls & SUM_NULL ? null : f[o + 7]!;
    const min = nulls & MIN_NULL ? null : f[o + 8]!;
    const max = nulls & MAX_NULL ? null : f[o + 9]!;
    const start = f[o + 13]!;
    if (type === 'histogram') {
      const bounds = this.layouts[f[o + 11]!]!;
      return { type, count, sum, min, max, bounds, counts: this.list(start, f[o + 14]!) };
    }
    const positive: Buckets = { offset: this.numbers[start]!, counts: this.list(start + 2, f[o + 14]!) };
    const negative: Buckets = {
      offset: this.numbers[start + 1]!,
      counts: this.list(start + 2 + f[o + 14]!, f[o + 15]!),
    };
    return { type, count, sum, min, max, scale: f[o + 11]!, zeroCount: f[o + 12]!, positive, negative };
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
