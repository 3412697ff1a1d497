import { bucketCount, floorTo } from '@pulseboard/shared';
import type { ReportIntervals } from '../aggregate/report-intervals.ts';
import { TIER_RESOLUTIONS, type TierIndex } from '../model.ts';

/** Steps the server picks from: each a multiple of a tier resolution, so buckets line up with stored ones. */
const STEPS = [
  1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
].map((s) => s * 1000);

export const MAX_POINTS_LIMIT = 5000;
export const DEFAULT_MAX_POINTS = 300;

/** The smallest step whose aligned buckets over [from, to) number at most maxPoints. */
export function chooseStep(from: number, to: number, maxPoints: number): number {
  for (const step of STEPS) if (bucketCount(from, to, step) <= maxPoints) return step;
  const week = STEPS[STEPS.length - 1]!;
  const weeks = Math.ceil((to - from) / week / Math.max(1, maxPoints - 1));
  return week * weeks;
}

/** The smallest step of the list that is at least `ms` (week multiples past the list). */
export function stepAtLeast(ms: number): number {
  for (const step of STEPS) if (step >= ms) return step;
  const week = STEPS[STEPS.length - 1]!;
  return week * Math.ceil(ms / week);
}

/** The step after `step`: the next one in the list, or one more week. */
export function nextStep(step: number): number {
  return stepAtLeast(step + 1);
}

/** The coarsest tier whose resolution divides the step: fewest rows to read for the same answer. */
export function tierForStep(step: number): TierIndex {
  let tier: TierIndex = 0;
  TIER_RESOLUTIONS.forEach((res, i) => {
    if (step % res === 0) tier = i as TierIndex;
  });
  return tier;
}

export interface TierRead {
  tier: TierIndex;
  /** Bucket starts in [from, to), aligned to the tier's resolution. */
  from: number;
  to: number;
}

/** [from, to) in ms. */
export interface Span {
  from: number;
  to: number;
}

/**
 * What each tier holds: `from[i]` its oldest time; `stale[i]` the spans (sorted, disjoint, bucket-aligned)
 * of a tier built at bucket close whose buckets are not rebuilt yet: they are read from the next finer tier.
 */
export interface Held {
  from: readonly number[];
  stale: readonly (readonly Span[])[];
}

/**
 * Splits [from, to) into reads per tier. The main tier serves the aligned middle; finer tiers serve the
 * unaligned edges so only data in [from, to) counts; parts older than a tier holds fall back to coarser
 * tiers (exact to their resolution only), and parts a tier has not rebuilt yet come from the next finer one.
 */
export function planReads(
  from: number,
  to: number,
  mainTier: TierIndex,
  held: Held,
  finestTier: TierIndex = 0,
): TierRead[] {
  const planner = new ReadPlanner(held, finestTier);
  planner.main(from, to, mainTier);
  return planner.reads;
}

/** The reads of one plan, in time order, from what the tiers hold and down to which tier a read may go. */
class ReadPlanner {
  readonly reads: TierRead[] = [];

  constructor(
    private readonly held: Held,
    private readonly finestTier: TierIndex,
  ) {}

  /** [from, to) at `mainTier`: its stale parts from the next finer tier, the rest from `older`. */
  main(from: number, to: number, mainTier: TierIndex): void {
    if (mainTier <= this.finestTier) {
      this.older(from, to, mainTier);
      return;
    }
    splitStale(from, to, this.held.stale[mainTier]!, {
      clean: (a, b) => this.older(a, b, mainTier),
      stale: (a, b) => this.main(a, b, (mainTier - 1) as TierIndex),
    });
  }

  /** [from, to) from `mainTier` where it holds data, and from coarser tiers before that. */
  private older(from: number, to: number, mainTier: TierIndex): void {
    const holdsFrom = this.held.from;
    const last = TIER_RESOLUTIONS.length - 1;
    let end = to;
    const startOf = (tier: number) =>
      tier === last ? from : Math.max(from, ceilTo(holdsFrom[tier]!, TIER_RESOLUTIONS[tier + 1]!));
    for (let tier = mainTier; tier <= last && end > from; tier++) {
      // This tier serves from where it holds data (rounded up to the next tier's buckets, so the coarser
      // tier can take over exactly at a bucket boundary) to where the finer region began.
      let start = startOf(tier);
      // A next tier that holds nothing older than that hands over to the one after it, whose buckets are
      // coarser: round up to those, or its first bucket would be read whole and overlap this region.
      for (let next = tier + 1; next < last && start > from && startOf(next) >= start; next++) {
        start = Math.max(from, ceilTo(start, TIER_RESOLUTIONS[next + 1]!));
      }
      if (start < end) this.exact(start, end, tier as TierIndex);
      end = Math.min(end, start);
    }
  }

  /** [from, to) exactly, from `tier` where it is rebuilt and finer where it is not. */
  private exact(from: number, to: number, tier: TierIndex): void {
    if (from >= to) return;
    const stale = this.held.stale[tier]!;
    if (tier > this.finestTier && stale.some((span) => span.from < to && span.to > from)) {
      // Not rebuilt there, even where this tier is a fallback: read those parts finer.
      splitStale(from, to, stale, {
        clean: (a, b) => this.built(a, b, tier),
        stale: (a, b) => this.exact(a, b, (tier - 1) as TierIndex),
      });
      return;
    }
    this.built(from, to, tier);
  }

  /** `exact` over a part `tier` has rebuilt: its aligned middle, the edges finer where still held. */
  private built(from: number, to: number, tier: TierIndex): void {
    const holdsFrom = this.held.from;
    const res = TIER_RESOLUTIONS[tier];
    const alignedFrom = ceilTo(from, res);
    const alignedTo = floorTo(to, res);
    if (tier <= this.finestTier) {
      this.reads.push({ tier, from: floorTo(from, res), to: ceilTo(to, res) });
      return;
    }
    const finer = (tier - 1) as TierIndex;
    if (alignedFrom >= alignedTo) {
      if (holdsFrom[finer]! <= from) this.exact(from, to, finer);
      else this.reads.push({ tier, from: floorTo(from, res), to: ceilTo(to, res) });
      return;
    }
    this.reads.push({ tier, from: alignedFrom, to: alignedTo });
    // Edges: exact from a finer tier when it still holds them, else the whole coarse bucket.
    if (from < alignedFrom) {
      if (holdsFrom[finer]! <= from) this.exact(from, alignedFrom, finer);
      else this.reads.push({ tier, from: alignedFrom - res, to: alignedFrom });
    }
    if (alignedTo < to) {
      if (holdsFrom[finer]! <= alignedTo) this.exact(alignedTo, to, finer);
      else this.reads.push({ tier, from: alignedTo, to: alignedTo + res });
    }
  }
}

/** Calls `clean` and `stale` for the parts of [from, to) outside and inside `stale` spans, in time order. */
function splitStale(
  from: number,
  to: number,
  stale: readonly Span[],
  on: { clean: (from: number, to: number) => void; stale: (from: number, to: number) => void },
): void {
  let at = from;
  for (const span of stale) {
    if (span.to <= at) continue;
    if (span.from >= to) break;
    if (span.from > at) on.clean(at, span.from);
    at = Math.min(to, span.to);
    on.stale(Math.max(from, span.from), at);
  }
  if (at < to) on.clean(at, to);
}

export const ceilTo = (t: number, res: number) => Math.ceil(t / res) * res;

/**
 * Where a read of [from, to) ends for data complete only up to `upTo` (`ReportIntervals.readsUpTo`): `to`, or
 * `upTo` snapped down to `res` (the finest tier read: its buckets are read whole), never before `from`.
 */
export function readEndAt(upTo: number, from: number, to: number, res: number): number {
  return upTo >= to ? to : Math.max(from, floorTo(upTo, res));
}

/**
 * Where a read of [from, to) at resolution `res` has the service's data up to: where it has reported
 * (`reportedUntil`), or where its reads stop (`readsUpTo`, see `readEndAt`) when that is earlier. A bucket's
 * rate divides by its seconds up to there.
 */
export function dataUntil(
  intervals: ReportIntervals,
  service: string,
  now: number,
  read: { from: number; to: number; res: number },
): number {
  const readEnd = readEndAt(intervals.readsUpTo(service, now), read.from, read.to, read.res);
  return Math.min(readEnd, intervals.reportedUntil(service, now));
}

/** `items` grouped by where their reads end (`endOf`), in the order first met. */
export function byReadEnd<T>(items: readonly T[], endOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const end = endOf(item);
    const group = groups.get(end);
    if (group) group.push(item);
    else groups.set(end, [item]);
  }
  return groups;
}
