import { bucketCount } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { chooseStep, planReads, tierForStep } from './steps.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

describe('chooseStep', () => {
  it('widens the step until the aligned buckets fit maxPoints', () => {
    const from = 1_700_000_000_000 - (1_700_000_000_000 % HOUR);
    expect(chooseStep(from, from + HOUR, 300)).toBe(20_000);
    expect(chooseStep(from, from + HOUR, 60)).toBe(60_000);
    expect(chooseStep(from, from + 5 * MIN, 300)).toBe(1_000);
    for (const maxPoints of [1, 7, 60, 300, 5000]) {
      const step = chooseStep(from + 123, from + 6 * HOUR + 456, maxPoints);
      expect(bucketCount(from + 123, from + 6 * HOUR + 456, step)).toBeLessThanOrEqual(maxPoints);
    }
  });

  it('reads the coarsest tier whose resolution divides the step', () => {
    expect(tierForStep(1_000)).toBe(0);
    expect(tierForStep(20_000)).toBe(1);
    expect(tierForStep(120_000)).toBe(2);
    expect(tierForStep(7_200_000)).toBe(3);
  });
});

describe('planReads', () => {
  const now = 1_700_000_000_000 - (1_700_000_000_000 % HOUR) + 30 * MIN;
  const built = [[], [], [], []];
  const everything = { from: [0, 0, 0, 0], stale: built };

  it('serves the aligned middle from the main tier and the edges from finer ones', () => {
    const from = now - HOUR + 5_500;
    const reads = planReads(from, now, 2, everything);
    expect(covered(reads)).toEqual({ from: from - 500, to: now });
    expect(reads.find((r) => r.tier === 2)).toEqual({ tier: 2, from: now - HOUR + MIN, to: now });
  });

  it('falls back to a coarser tier for what a finer tier no longer holds', () => {
    const held = { from: [now - HOUR, now - 24 * HOUR, now - 30 * 24 * HOUR, 0], stale: built };
    const reads = planReads(now - 2 * HOUR, now, 0, held);
    expect(reads.some((r) => r.tier === 1 && r.from === now - 2 * HOUR)).toBe(true);
    expect(covered(reads)).toEqual({ from: now - 2 * HOUR, to: now });
  });
});

describe('planReads with tiers built at bucket close', () => {
  it('reads the part after the 1 h tier was last built from the 1 min tier', () => {
    const now = 1_800_000_000_000 - (1_800_000_000_000 % HOUR) + 30 * MIN;
    const built = now - 30 * MIN - HOUR;
    const held = { from: [0, 0, 0, 0], stale: [[], [], [], [{ from: built, to: Infinity }]] };
    const reads = planReads(now - 5 * HOUR - 30 * MIN, now - 30 * MIN, 3, held);
    expect(reads.filter((r) => r.tier === 3)).toEqual([{ tier: 3, from: now - 5 * HOUR - 30 * MIN, to: built }]);
    expect(reads.filter((r) => r.tier === 2)).toEqual([{ tier: 2, from: built, to: now - 30 * MIN }]);
  });
});

/** Checks reads are contiguous and non-overlapping; returns the span they cover. */
function covered(reads: { from: number; to: number }[]) {
  const sorted = [...reads].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from).toBe(sorted[i - 1]!.to);
  return { from: sorted[0]!.from, to: sorted[sorted.length - 1]!.to };
}
