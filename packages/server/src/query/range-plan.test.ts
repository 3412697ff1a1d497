import { bucketCount, floorTo } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { bucketSeconds } from './context.ts';
import { planRange, spreadTargets } from './range-plan.ts';
import type { Held, Span } from './steps.ts';

const SEC = 1000;
const MIN = 60_000;
const HOUR = 3_600_000;
const RATE = 50;

/**
 * Steady traffic of 50/s since long ago, stored in tiers that each hold only part of it (retention,
 * buckets not rebuilt yet); every planned read is served from that store and placed as `readRed` places
 * it. Whatever the range, every output bucket must read 50/s: a coarse bucket counted for a sliver of an
 * edge, or a read of time a tier no longer holds, shows up as a rate far off.
 */
describe('planRange on steady traffic', () => {
  it('reads the true rate in every bucket for ranges starting near retention and rebuild boundaries, dirty buckets anywhere', () => {
    const random = seeded(20_261_203);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    let checked = 0;
    for (let run = 0; run < 2000; run++) {
      const now = 1_800_000_000_000 + Math.floor(random() * 2 * 86_400_000);
      // Each tier keeps at least as long as the one below it.
      const kept0 = pick([2 * MIN, HOUR]);
      const retention = [kept0, Math.max(kept0, pick([10 * MIN, 24 * HOUR])), 30 * 24 * HOUR, Number.POSITIVE_INFINITY];
      const from = retention.map((r, i) => (i === 3 ? Number.NEGATIVE_INFINITY : ceil(now - r, TIER_RESOLUTIONS[i]!)));
      // The 1 min and 1 h tiers are rebuilt up to their oldest dirty bucket, somewhere in the recent past, or
      // all but a few scattered runs of dirty buckets (late data, an import) where the tier below holds data.
      const stale2 = random() < 0.5 ? suffix(now, MIN, 10, random) : scattered(now, MIN, from[1]!, random);
      const stale3 = random() < 0.5 ? suffix(now, HOUR, 3, random) : scattered(now, HOUR, from[2]!, random);
      const held: Held = { from, stale: [[], [], stale2, stale3] };
      // Start near a tier's retention boundary or a rebuild boundary, or anywhere in the last two days.
      const edges = [...stale2, ...stale3].flatMap((span) => [span.from, span.to]).filter(Number.isFinite);
      const boundary = pick([from[0]!, from[1]!, ...edges, now - Math.floor(random() * 2 * 86_400_000)]);
      const start = boundary + Math.floor((random() - 0.5) * 2 * pick([5, 30, 120, 900]) * SEC);
      const end = random() < 0.6 ? now : start + Math.floor(random() * (now - start));
      if (!(start < end) || start < now - 29 * 24 * HOUR) continue;
      const maxPoints = pick([1, 2, 7, 60, 150, 160, 300, 600, 5000]);
      const finestTier = pick([0, 0, 1]) as TierIndex;
      const plan = planRange({ from: start, to: end, maxPoints, minStep: 0, finestTier, held, now });
      const context = `run ${run}: [now${start - now}, now${end - now}) maxPoints ${maxPoints} step ${plan.step}`;
      if (plan.from > start || plan.to < end || bucketCount(plan.from, plan.to, plan.step) > maxPoints) {
        expect.fail(`${context}: snapped to [now${plan.from - now}, now${plan.to - now})`);
      }
      const counts = new Map<number, number>();
      const bucketOf = (t: number) => floorTo(t, plan.step);
      for (const read of plan.reads) {
        const res = TIER_RESOLUTIONS[read.tier];
        for (let t = read.from; t < read.to; t += res) {
          const stored = holds(held, read.tier, t) ? (RATE * Math.max(0, Math.min(t + res, now) - t)) / SEC : 0;
          const targets = res > plan.step ? spreadTargets(t, res, plan.step, { ...plan, bucketOf }) : [bucketOf(t)];
          for (const u of targets) counts.set(u, (counts.get(u) ?? 0) + stored / targets.length);
        }
      }
      for (let t = floorTo(plan.from, plan.step); t < plan.to; t += plan.step) {
        const seconds = bucketSeconds(t, plan.step, plan.from, plan.to, now);
        if (seconds === 0) continue;
        const rate = (counts.get(t) ?? 0) / seconds;
        // expect() only on a miss: it costs more than the arithmetic, over ~100,000 buckets.
        if (!(Math.abs(rate - RATE) / RATE < 0.01)) expect.fail(`${context} bucket now${t - now} rate ${rate}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });

  it('snaps a start only a coarse tier still holds to that tier, and says so in from', () => {
    const now = 1_800_000_000_000 + 28_400;
    const held: Held = {
      from: [ceil(now - HOUR, SEC), ceil(now - 24 * HOUR, 10 * SEC), 0, 0],
      stale: [[], [], [], []],
    };
    // Asked a millisecond after the 1 s tier's oldest second (the clock moved on between the two).
    const plan = planRange({ from: now - HOUR - 1, to: now, maxPoints: 160, minStep: 0, finestTier: 0, held, now });
    expect(plan.step).toBe(30_000);
    expect(plan.from).toBe(floorTo(now - HOUR - 1, 10 * SEC));
    expect(plan.to).toBe(now);
  });

  it('never picks a step under minStep', () => {
    const now = 1_800_000_000_000;
    const held: Held = { from: [0, 0, 0, 0], stale: [[], [], [], []] };
    const plan = planRange({ from: now - 5 * MIN, to: now, maxPoints: 300, minStep: 60_000, finestTier: 0, held, now });
    expect(plan.step).toBe(60_000);
    expect(
      planRange({ from: now - 5 * MIN, to: now, maxPoints: 300, minStep: 4_990, finestTier: 0, held, now }).step,
    ).toBe(5_000);
  });
});

function holds(held: Held, tier: TierIndex, t: number): boolean {
  return t >= held.from[tier]! && !held.stale[tier]!.some((span) => t >= span.from && t < span.to);
}

/** Dirty from a bucket up to `buckets` back on. */
function suffix(now: number, res: number, buckets: number, random: () => number): Span[] {
  return [{ from: floorTo(now - Math.floor(random() * buckets) * res, res), to: Number.POSITIVE_INFINITY }];
}

/**
 * Up to 5 disjoint runs of 1 - 20 dirty buckets over the last two days, oldest first, from `oldest` on (a
 * bucket is marked dirty by writes into the tier below, so only where that holds data).
 */
function scattered(now: number, res: number, oldest: number, random: () => number): Span[] {
  const spans: Span[] = [];
  let at = ceil(Math.max(oldest, now - 2 * 86_400_000), res);
  for (let i = Math.floor(random() * 6); i > 0; i--) {
    const from = at + res * Math.floor(random() * ((now - at) / res / 2));
    const to = Math.min(from + res * (1 + Math.floor(random() * 20)), floorTo(now, res) + res);
    if (from >= to) break;
    spans.push({ from, to });
    at = to + res;
  }
  return spans;
}

const ceil = (t: number, res: number) => Math.ceil(t / res) * res;

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
