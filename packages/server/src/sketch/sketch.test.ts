import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, mergeEncoded } from './codec.ts';
import { mergedQuantiles } from './encoded-merge.ts';
import { GAMMA, representative, Sketch } from './sketch.ts';

describe('Sketch', () => {
  it('reads percentiles within 1% of exact on 100,000 log-normal values', () => {
    const { values } = setup({ n: 100_000, seed: 7 });
    const sketch = new Sketch();
    for (const v of values) sketch.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1]) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      expect(Math.abs(sketch.quantile(q)! - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('merges to the same answers as one sketch of all values, through the binary form', () => {
    const { values } = setup({ n: 30_000, seed: 3 });
    const whole = new Sketch();
    const parts = [new Sketch(), new Sketch(), new Sketch()];
    values.forEach((v, i) => {
      whole.add(v);
      parts[i % 3]!.add(v);
    });
    const merged = parts.map(encodeSketch).reduce<Buffer | null>((acc, b) => mergeEncoded(acc, b), null)!;
    const decoded = decodeSketch(merged);
    expect(decoded.count).toBe(whole.count);
    expect(decoded.sum).toBeCloseTo(whole.sum, 6);
    for (const q of [0.5, 0.95, 0.99]) expect(decoded.quantile(q)).toBe(whole.quantile(q));
  });

  it('keeps zeros, negatives and fractional counts', () => {
    const sketch = new Sketch();
    sketch.add(0, 2);
    sketch.add(-5, 1.5);
    sketch.add(10, 0.5);
    const decoded = decodeSketch(encodeSketch(sketch));
    expect(decoded.count).toBe(4);
    expect(decoded.quantile(0)).toBeCloseTo(-5, 1);
    expect(decoded.quantile(0.5)).toBe(0);
    expect(decoded.quantile(1)).toBe(10);
  });

  it('bounds its bins however far apart the values are, keeping the exact extremes', () => {
    const sketch = new Sketch();
    for (const v of [1e-9 * 1.5, 12, 40, 1e300]) sketch.add(v);
    sketch.add(-1e300);
    for (const side of ['positive', 'negative'] as const) {
      const bins = sketch.bins(side)!;
      expect(bins.counts.length).toBeLessThan(8_000);
    }
    expect(sketch.quantile(1)).toBe(1e300);
    expect([sketch.min, sketch.max]).toEqual([-1e300, 1e300]);
    // Beyond 1e18 values share one bin, which reads as the exact extreme.
    expect(sketch.quantile(0)).toBe(-1e300);
    // Values up to 1e18 keep their accuracy.
    expect(Math.abs(sketch.quantile(0.6)! - 12) / 12).toBeLessThanOrEqual(0.01);
    expect(decodeSketch(encodeSketch(sketch)).quantile(0.6)).toBe(sketch.quantile(0.6));
  });

  it('reads a sketch of values beyond 1e18 inside their range, not below its minimum', () => {
    const sketch = new Sketch();
    for (let i = 0; i < 10; i++) sketch.add(1e20 + i * 1e19);
    for (const q of [0, 0.5, 0.99, 1]) {
      expect(sketch.quantile(q)).toBeGreaterThanOrEqual(sketch.min);
      expect(sketch.quantile(q)).toBeLessThanOrEqual(sketch.max);
    }
    expect(sketch.quantile(0.99)).toBe(sketch.max);
    const below = new Sketch();
    below.add(-5e20, 3);
    expect(below.quantile(0.5)).toBe(-5e20);
  });

  it('answers null for an empty sketch', () => {
    expect(new Sketch().quantile(0.5)).toBeNull();
    const out = [1, 2];
    new Sketch().quantiles([0.5, 0.99], out);
    expect(out).toEqual([null, null]);
  });

  it('reads several quantiles in one walk as it reads each alone, on both sides, zeros and the ceiling bin', () => {
    const { values } = setup({ n: 2_000, seed: 5 });
    const sketch = new Sketch();
    for (const [i, v] of values.entries()) sketch.add(i % 7 === 0 ? -v : v, i % 3 === 0 ? 0.25 : 1);
    sketch.add(0, 40);
    sketch.add(5e20);
    sketch.add(-7e19, 2);
    const qs = [0, 0.001, 0.05, 0.1, 0.142, 0.15, 0.5, 0.5, 0.95, 0.99, 0.9999, 1, 1.5];
    const out: (number | null)[] = [];
    sketch.quantiles(qs, out);
    expect(out).toEqual(qs.map((q) => sketch.quantile(q)));
  });

  it('gives each bin the same representative, computed or remembered, inside and outside the bin range', () => {
    for (let pass = 0; pass < 2; pass++) {
      const wrong: number[] = [];
      for (let index = -1400; index <= 2700; index++) {
        if (representative(index) !== (2 * GAMMA ** index) / (GAMMA + 1)) wrong.push(index);
      }
      expect(wrong).toEqual([]);
    }
  });

  it('reads quantiles of one or several encoded sketches as from them decoded into one sketch', () => {
    const { values } = setup({ n: 3_000, seed: 9 });
    const wide = new Sketch();
    for (const v of values) wide.add(v * 1000);
    const fractional = new Sketch();
    for (const v of values.slice(0, 50)) fractional.add(v, 0.3);
    const signed = new Sketch();
    for (const [i, v] of values.slice(0, 200).entries()) signed.add(i % 4 === 0 ? -v : v);
    signed.add(0, 9);
    signed.add(-5e20);
    signed.add(3e19, 2);
    const narrow = new Sketch();
    for (const v of values.slice(0, 30)) narrow.add(v / 7, 3);
    const qs = [0, 0.25, 0.5, 0.95, 0.99, 1];
    const all = [wide, fractional, signed, new Sketch(), narrow].map(encodeSketch);
    const lists = [
      ...all.map((bytes) => [bytes]),
      all,
      [all[4]!, all[0]!, all[4]!],
      [all[3]!, all[3]!],
      all.toReversed(),
    ];
    for (const list of lists) {
      const direct: (number | null)[] = [];
      mergedQuantiles(list, qs, direct);
      const decoded = new Sketch();
      for (const bytes of list) decodeSketch(bytes, decoded);
      expect(direct).toEqual(qs.map((q) => decoded.quantile(q)));
    }
    const none: (number | null)[] = [];
    mergedQuantiles([], qs, none);
    expect(none).toEqual(qs.map(() => null));
  });
});

function setup({ n, seed }: { n: number; seed: number }) {
  let state = seed;
  const uniform = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
  const values = Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.exp(3 + 0.8 * normal);
  });
  return { values };
}
