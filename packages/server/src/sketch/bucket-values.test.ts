import { describe, expect, it } from 'vitest';
import { explicitObservations, exponentialObservations, type Observations, placeInside } from './bucket-values.ts';
import { reportedValue, Sketch } from './sketch.ts';

const QUANTILES = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

describe('histogram points as weighted sketch values', () => {
  it('agree with the sketch on what it reports for a value', () => {
    for (const v of [0.001, 0.9, 1, 12.5, 999.99, 1e6]) {
      const sketch = new Sketch();
      // Far neighbours keep the sketch's min/max clamp away from the value under test.
      sketch.add(v / 1000);
      sketch.add(v, 3);
      sketch.add(v * 1000);
      expect(sketch.quantile(0.5)).toBe(reportedValue(v));
    }
  });

  it('put every percentile of explicit buckets inside the bucket holding the exact value', () => {
    const random = lcg(17);
    for (let round = 0; round < 200; round++) {
      const bounds = randomBounds(random, round);
      const values = Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.exp(random() * 8 - 2));
      const withMinMax = round % 2 === 0;
      const point = toExplicit(values, bounds, withMinMax);
      const out: Observations = { values: [], weights: [] };
      explicitObservations(point, 1, true, out);
      expect(out.weights.every(Number.isInteger)).toBe(true);
      expect(out.weights.reduce((a, b) => a + b, 0)).toBe(values.length);
      if (withMinMax) {
        // With min and max every bucket's range is known, so the sum (hence avg) is met up to sketch rounding.
        const placed = out.values.reduce((n, v, i) => n + v * out.weights[i]!, 0);
        expect(Math.abs(placed - point.sum) / point.sum, `round ${round} sum`).toBeLessThanOrEqual(0.01);
      }
      const sketch = sketchOf(out);
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of QUANTILES) {
        const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
        const [lo, hi] = bucketOf(exact, bounds);
        const read = sketch.quantile(q)!;
        const where = `round ${round} q ${q}: ${read} for ${exact} in (${lo}, ${hi}]`;
        // Without max, the overflow bucket has no upper edge to interpolate to: inside it is all we promise.
        expect(read > lo && read <= hi, where).toBe(true);
      }
    }
  });

  it('place a single observation exactly when min and max are sent, and scale units', () => {
    const out: Observations = { values: [], weights: [] };
    explicitObservations({ bounds: [0, 5, 10], counts: [0, 1, 0, 0], min: 0.2, max: 0.2, sum: 0.2 }, 1000, true, out);
    expect(out).toEqual({ values: [200], weights: [1] });
  });

  it('use the mean when a point has no buckets, and 0 for counts below a first bound of 0', () => {
    const out: Observations = { values: [], weights: [] };
    explicitObservations({ bounds: [], counts: [4], min: null, max: null, sum: 10 }, 1, true, out);
    expect(out).toEqual({ values: [2.5, 2.5, 2.5, 2.5], weights: [1, 1, 1, 1] });
    const zeros: Observations = { values: [], weights: [] };
    explicitObservations({ bounds: [0, 1], counts: [3, 0, 0], min: null, max: null, sum: 0 }, 1, true, zeros);
    expect(zeros.values.every((v) => v === 0)).toBe(true);
  });

  it('put exponential-histogram percentiles in the exact bucket at any scale, with zeros and negatives', () => {
    const random = lcg(5);
    for (const scale of [-4, -1, 0, 1, 3, 4]) {
      for (let round = 0; round < 20; round++) {
        const values = Array.from({ length: 50 + Math.floor(random() * 200) }, () => {
          const r = random();
          if (r < 0.05) return 0;
          const v = Math.exp(random() * 10 - 3);
          return r < 0.3 ? -v : v;
        });
        const point = toExponential(values, scale);
        const out: Observations = { values: [], weights: [] };
        exponentialObservations(point, 1, out);
        expect(out.weights.reduce((a, b) => a + b, 0)).toBe(values.length);
        const sketch = sketchOf(out);
        const sorted = [...values].sort((a, b) => a - b);
        for (const q of QUANTILES) {
          const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
          const read = sketch.quantile(q)!;
          if (exact === 0) {
            expect(read).toBe(0);
            continue;
          }
          const index = expIndex(Math.abs(exact), scale);
          const base = 2 ** (2 ** -scale);
          const [lo, hi] = [base ** index, base ** (index + 1)];
          expect(Math.sign(read), `${read} vs ${exact}`).toBe(Math.sign(exact));
          expect(
            Math.abs(read) > lo * 0.999 && Math.abs(read) <= hi * 1.001,
            `scale ${scale}: ${read} for ${exact}`,
          ).toBe(true);
        }
      }
    }
  });

  it('keep values where no sketch bin fits inside a very narrow bucket', () => {
    expect(placeInside(100, 99.99, 100.01)).toBe(100);
  });
});

function sketchOf(out: Observations): Sketch {
  const sketch = new Sketch();
  out.values.forEach((v, i) => {
    sketch.add(v, out.weights[i]);
  });
  return sketch;
}

function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
}

/** Bucket layouts from coarse (SDK defaults in the wrong unit) to fine, some narrower than a sketch bin. */
function randomBounds(random: () => number, round: number): number[] {
  const n = 1 + Math.floor(random() * 20);
  const bounds: number[] = [];
  let b = round % 3 === 0 ? 0 : random() * 0.5;
  for (let i = 0; i < n; i++) {
    bounds.push(b);
    b += round % 5 === 0 ? b * 0.01 + 0.001 : random() * 30 * (i + 1) * 0.1 + 0.01;
  }
  return bounds;
}

function bucketOf(value: number, bounds: number[]): [number, number] {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  return [
    i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1]!,
    i === bounds.length ? Number.POSITIVE_INFINITY : bounds[i]!,
  ];
}

function toExplicit(values: number[], bounds: number[], withMinMax: boolean) {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v > bounds[i]!) i++;
    counts[i]!++;
  }
  return {
    bounds,
    counts,
    min: withMinMax ? Math.min(...values) : null,
    max: withMinMax ? Math.max(...values) : null,
    sum: values.reduce((a, b) => a + b, 0),
  };
}

/** The OTLP index of |v|'s bucket: (base^i, base^(i+1)], computed exactly enough for the test's values. */
function expIndex(v: number, scale: number): number {
  return Math.ceil(Math.log2(v) * 2 ** scale) - 1;
}

function toExponential(values: number[], scale: number) {
  const positive = new Map<number, number>();
  const negative = new Map<number, number>();
  let zeroCount = 0;
  for (const v of values) {
    if (v === 0) zeroCount++;
    else {
      const side = v > 0 ? positive : negative;
      const i = expIndex(Math.abs(v), scale);
      side.set(i, (side.get(i) ?? 0) + 1);
    }
  }
  const dense = (m: Map<number, number>) => {
    if (m.size === 0) return { offset: 0, counts: [] };
    const offset = Math.min(...m.keys());
    const counts = new Array<number>(Math.max(...m.keys()) - offset + 1).fill(0);
    for (const [i, c] of m) counts[i - offset] = c;
    return { offset, counts };
  };
  return {
    scale,
    zeroCount,
    positive: dense(positive),
    negative: dense(negative),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}
