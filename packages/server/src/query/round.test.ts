import { describe, expect, it } from 'vitest';
import { round } from './round.ts';

const reference = (value: number, digits: number) => Number(value.toFixed(digits));

/** A deterministic stream of doubles in [0, 1). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('round', () => {
  it('gives Number(value.toFixed(digits)) for values of every size, sign and decimals', () => {
    const rand = uniform(11);
    for (let i = 0; i < 200_000; i++) {
      const magnitude = 10 ** (rand() * 24 - 9);
      const value = (rand() < 0.2 ? -1 : 1) * magnitude;
      const digits = [0, 1, 3, 6][i % 4]!;
      const got = round(value, digits);
      if (!Object.is(got, reference(value, digits))) expect({ value, digits, got }).toEqual(reference(value, digits));
    }
  });

  it('breaks ties as toFixed does, and rounds values that only look like ties', () => {
    // Exact binary ties (x.5 at the last decimal) go up in magnitude; 1.0005 and 2.675 sit just below theirs.
    for (const value of [0.0625, 0.5, 2.5, -0.0625, 1.0005, 2.675, 1.005, 0.000_000_5, 123.456_5, 8.345, -8.345]) {
      for (const digits of [0, 1, 2, 3, 4, 6]) expect(round(value, digits)).toBe(reference(value, digits));
    }
  });

  it('keeps the rates and percentiles a RED point holds: counts over seconds, bin representatives', () => {
    const wrong: number[] = [];
    for (let count = 0; count < 20_000; count++) {
      for (const seconds of [1, 10, 60, 3600, 7]) {
        if (round(count / seconds, 6) !== reference(count / seconds, 6)) wrong.push(count / seconds);
      }
    }
    const gamma = 1.008 / 0.992;
    for (let index = -1300; index < 2600; index++) {
      const value = (2 * gamma ** index) / (gamma + 1);
      if (round(value) !== reference(value, 3)) wrong.push(value);
    }
    expect(wrong).toEqual([]);
  });

  it('turns non-finite values into null and -0 into 0', () => {
    expect(round(null)).toBeNull();
    expect(round(Number.NaN)).toBeNull();
    expect(round(Number.POSITIVE_INFINITY)).toBeNull();
    expect(Object.is(round(-0), 0)).toBe(true);
    expect(Object.is(round(-0.0001), reference(-0.0001, 3))).toBe(true);
  });
});
