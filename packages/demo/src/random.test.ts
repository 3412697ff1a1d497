import { describe, expect, it } from 'vitest';
import {
  hash,
  hashExtend,
  hashFinish,
  hashPrefix,
  lognormal,
  normalQuantile,
  poisson,
  stream,
  uniformAt,
} from './random.ts';

describe('random', () => {
  it('hashes tuples deterministically and distinguishes large integers', () => {
    expect(hash(1, 2, 3)).toBe(hash(1, 2, 3));
    expect(hash(1, 2, 3)).not.toBe(hash(1, 3, 2));
    expect(hash(1, 1_700_000_000_000)).not.toBe(hash(1, 1_700_000_000_000 + 2 ** 32));
    expect(hash(1, -1)).not.toBe(hash(1, 2 ** 32 - 1));
    expect(hashFinish(hashExtend(hashPrefix(4, 5, 6), 7))).toBe(hash(4, 5, 6, 7));
  });

  it('gives uniforms in (0, 1) with the right mean', () => {
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = uniformAt(3, i);
      if (!(u > 0 && u < 1)) outside++;
      sum += u;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it('replays a stream from its key', () => {
    const a = stream(1, 2, 3);
    const b = stream(1, 2, 3);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect(stream(1, 2, 4)()).not.toBe(first[0]);
  });

  it('inverts the normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalQuantile(1e-9)).toBeCloseTo(-5.997807, 4);
  });

  it('draws Poisson and lognormal values with the right mean and median', () => {
    for (const lambda of [0.3, 4, 40, 500]) {
      const u = stream(9, lambda * 10);
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += poisson(u, lambda);
      expect(sum / 20_000).toBeGreaterThan(lambda * 0.97);
      expect(sum / 20_000).toBeLessThan(lambda * 1.03);
    }
    expect(poisson(stream(1), 0)).toBe(0);
    const u = stream(10);
    const values = Array.from({ length: 20_001 }, () => lognormal(u, 40, 0.5)).sort((a, b) => a - b);
    expect(values[10_000]).toBeGreaterThan(38);
    expect(values[10_000]).toBeLessThan(42);
  });
});
