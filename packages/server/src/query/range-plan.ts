import { bucketCount } from '@pulseboard/shared';
import { TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { chooseStep, type Held, nextStep, planReads, stepAtLeast, type TierRead, tierForStep } from './steps.ts';

/** What a range read returns and how: the step, the span the data really covers, and the reads behind it. */
export interface RangePlan {
  step: number;
  /**
   * Where the data starts and ends: `from`/`to` as asked, moved out to the edges of the stored buckets
   * read there (a second, or a coarser bucket where only a coarser tier still holds that time). Every
   * stored bucket read lies inside, so each output bucket's rate divides by the seconds its data covers.
   */
  from: number;
  to: number;
  reads: TierRead[];
}

export interface RangePlanOptions {
  from: number;
  to: number;
  maxPoints: number;
  /** The step is never shorter than this: the longest reporting interval of the data read (ms). */
  minStep: number;
  /** The finest tier the data exists in (per-route and per-series rollups start at 10 s). */
  finestTier: TierIndex;
  held: Held;
  now: number;
}

/**
 * Picks the step (fitting maxPoints, never under `minStep` nor the finest tier's resolution), plans the
 * reads, and snaps the range to what they cover. Snapping can add a bucket at either end; the step is then
 * widened again, so there are never more than maxPoints buckets.
 */
export function planRange(o: RangePlanOptions): RangePlan {
  const floor = Math.max(o.minStep, TIER_RESOLUTIONS[o.finestTier]);
  let step = Math.max(chooseStep(o.from, o.to, o.maxPoints), stepAtLeast(floor));
  for (;;) {
    const mainTier = Math.max(tierForStep(step), o.finestTier) as TierIndex;
    const reads = planReads(o.from, o.to, mainTier, o.held, o.finestTier);
    const span = coveredSpan(reads, o.from, o.to, o.now);
    if (bucketCount(span.from, span.to, step) <= o.maxPoints) return { step, ...span, reads };
    step = nextStep(step);
  }
}

/**
 * The span stored buckets read for [from, to) cover: data never lies beyond now, so the end moves out at
 * most to now (at the live edge the open second stays cut at `to`).
 */
export function coveredSpan(reads: readonly TierRead[], from: number, to: number, now: number) {
  let start = from;
  let end = to;
  for (const read of reads) {
    start = Math.min(start, read.from);
    end = Math.max(end, Math.min(read.to, now));
  }
  return { from: start, to: end };
}

/**
 * Output buckets of `step` that a stored bucket [t, t + res) longer than the step is spread over evenly:
 * those inside it and inside [from, to) (all of them once the range is snapped by `planRange`).
 */
export function spreadTargets(
  t: number,
  res: number,
  step: number,
  range: { from: number; to: number; bucketOf: (t: number) => number },
): number[] {
  const out: number[] = [];
  for (let u = t; u < t + res; u += step) if (u + step > range.from && u < range.to) out.push(range.bucketOf(u));
  return out.length > 0 ? out : [range.bucketOf(t)];
}
