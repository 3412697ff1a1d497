import { type BucketStats, mergeStats, SAMPLE_TIER_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { decodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import { heldRanges, type QueryContext } from './context.ts';
import { planReads } from './steps.ts';

/** One series' buckets merged into one output bucket. */
export interface SampleAcc extends BucketStats {
  sketch: Sketch | null;
}

export interface SampleReadOptions {
  seriesIds: readonly number[];
  from: number;
  to: number;
  mainTier: TierIndex;
  bucketOf: (t: number) => number;
  now: number;
}

/** Per-series data is never finer than this, so a series read never asks for a finer step. */
export const MIN_SAMPLE_STEP = TIER_RESOLUTIONS[SAMPLE_TIER_FROM];

/** Reads series buckets over [from, to) across tiers; result: series id -> output bucket -> aggregate. */
export function readSamples(ctx: QueryContext, options: SampleReadOptions): Map<number, Map<number, SampleAcc>> {
  const out = new Map<number, Map<number, SampleAcc>>();
  if (options.seriesIds.length === 0) return out;
  const mainTier = Math.max(options.mainTier, SAMPLE_TIER_FROM) as TierIndex;
  const reads = planReads(options.from, options.to, mainTier, heldRanges(ctx, options.now), SAMPLE_TIER_FROM);
  for (const read of reads) {
    for (const row of ctx.store.readSamples(read.tier, options.seriesIds, read.from, read.to)) {
      let buckets = out.get(row.seriesId);
      if (!buckets) out.set(row.seriesId, (buckets = new Map()));
      const t = options.bucketOf(row.t);
      const acc = buckets.get(t);
      if (!acc) {
        buckets.set(t, { ...row, sketch: row.sketch ? decodeSketch(row.sketch) : null });
        continue;
      }
      mergeSample(acc, { ...row, sketch: null });
      if (row.sketch) acc.sketch = decodeSketch(row.sketch, acc.sketch ?? new Sketch());
    }
  }
  return out;
}

/** Adds `from` into `into` (sketches are merged by the caller, which may hold them encoded). */
export function mergeSample(into: SampleAcc, from: SampleAcc): void {
  mergeStats(into, from);
  if (from.sketch) {
    if (into.sketch) into.sketch.merge(from.sketch);
    else {
      into.sketch = new Sketch();
      into.sketch.merge(from.sketch);
    }
  }
}
