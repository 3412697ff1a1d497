import { type BucketStats, mergeStats, SAMPLE_TIER_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { decodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { SampleBucket } from '../store/store.ts';
import { heldRanges, type QueryContext } from './context.ts';
import { runToEnd } from './scheduler.ts';
import { byReadEnd, planReads, readEndAt, type TierRead } from './steps.ts';

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
  /** Where a series' reads stop, when before `to`: its service's data is complete only up to there (`readEndAt`). */
  upTo?: (seriesId: number) => number;
}

/** Per-series data is never finer than this, so a series read never asks for a finer step. */
export const MIN_SAMPLE_STEP = TIER_RESOLUTIONS[SAMPLE_TIER_FROM];

/** Reads series buckets over [from, to) across tiers; result: series id -> output bucket -> aggregate. */
export function readSamples(
  ctx: QueryContext,
  options: SampleReadOptions,
): Promise<Map<number, Map<number, SampleAcc>>> {
  return runToEnd(readSamplesSteps(ctx, options));
}

/** The tier reads behind a series read: per-series data starts at the 10 s tier. */
export function sampleReads(ctx: QueryContext, options: SampleReadOptions): TierRead[] {
  const mainTier = Math.max(options.mainTier, SAMPLE_TIER_FROM) as TierIndex;
  return planReads(options.from, options.to, mainTier, heldRanges(ctx, options.now), SAMPLE_TIER_FROM);
}

/** Series and stored buckets per store call, so one chunk takes a few ms. */
const CHUNK_SERIES = 64;
const CHUNK_BUCKETS = 256;

/** `readSamples` in steps: it yields after each chunk of at most `CHUNK_SERIES` x `CHUNK_BUCKETS` buckets. */
export async function* readSamplesSteps(
  ctx: QueryContext,
  options: SampleReadOptions,
): AsyncGenerator<undefined, Map<number, Map<number, SampleAcc>>, void> {
  const out = new Map<number, Map<number, SampleAcc>>();
  const upTo = options.upTo ?? (() => Number.POSITIVE_INFINITY);
  const ends = byReadEnd(options.seriesIds, (id) => readEndAt(upTo(id), options.from, options.to, MIN_SAMPLE_STEP));
  for (const [to, seriesIds] of ends) {
    for (const read of sampleReads(ctx, { ...options, to })) {
      const span = CHUNK_BUCKETS * TIER_RESOLUTIONS[read.tier];
      for (let i = 0; i < seriesIds.length; i += CHUNK_SERIES) {
        const ids = seriesIds.slice(i, i + CHUNK_SERIES);
        for (let from = read.from; from < read.to; from += span) {
          foldSamples(out, await ctx.store.readSamples(read.tier, ids, from, Math.min(read.to, from + span)), options);
          yield;
        }
      }
    }
  }
  return out;
}

function foldSamples(
  out: Map<number, Map<number, SampleAcc>>,
  rows: readonly SampleBucket[],
  options: SampleReadOptions,
): void {
  for (const row of rows) {
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
