import type { AttributeValue, MetricType } from '@pulseboard/shared';
import { pieceCount } from './aggregate/spread.ts';

/** Who a series is: service + metric name + attributes. Kind and unit are fixed at first sight. */
export interface SeriesIdentity {
  service: string;
  name: string;
  kind: MetricType;
  /** Canonical unit: durations are converted to `ms` at the edge. */
  unit: string;
  attributes: Record<string, AttributeValue>;
}

/** The one internal model every encoding decodes into: observations of one series. */
export interface SeriesSamples {
  identity: SeriesIdentity;
  /** Arrays, or typed arrays when the batch was decoded in a worker and moved across. */
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  /**
   * How many observations each value stands for (an OTLP histogram bucket as one representative value);
   * whole numbers, so counts stay exact. 1 each when absent.
   */
  weights?: ArrayLike<number>;
  /**
   * Explicit-bucket histogram points kept as bucket counts: the fold sums the counts of every point that
   * falls in one bucket row and spreads them into the sketch once per row, instead of once per point.
   */
  explicit?: readonly ExplicitPoint[];
  /** Where it came from in the request (`metrics[3]`), so a rejection can name it. */
  origin?: string;
  /** How often the series reports (ms): the longest span an OTLP point of it covered. */
  interval?: number;
  /**
   * The span of a cumulative series' first point (from its start time), without `interval`: only a hint of how
   * often it reports (a process's first export comes one interval after it starts, unless it ran long before).
   */
  firstSpan?: number;
  /** With `interval` or `firstSpan`: the end of the newest interval reported, so reads know the data is complete up to it. */
  reportedUntil?: number;
  /**
   * Which process reported it, for a series without `service.instance.id` that several processes send (each
   * its own start time; see `CumulativeSeries`): reads wait for each one's report as for named instances.
   */
  reportedBy?: string;
}

/** One explicit-bucket histogram point (OTLP), in the sender's unit. */
export interface ExplicitPoint {
  time: number;
  bounds: readonly number[];
  /** bounds.length + 1 counts. */
  counts: readonly number[];
  /** Unit factor for bounds, sum, min and max (seconds -> ms). */
  scale: number;
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** min and max are observations of exactly these counts (a delta point, or a fresh cumulative one). */
  exact: boolean;
  /** Set when the point is spread over [spreadFrom, time) as the fold reads it (see `spreadLater`). */
  spreadFrom?: number;
}

export type SampleBatch = SeriesSamples[];

/** Observations as the work they cost: one per value, whatever it stands for. */
export function countObservations(batch: SampleBatch): number {
  let n = 0;
  for (const s of batch) {
    n += s.values.length;
    // A point's cost is its buckets, as if each were one value, in each piece it is spread over.
    for (const p of s.explicit ?? []) n += p.counts.length * pieceCount(p);
  }
  return n;
}

/** Observations as the client counted them: a weighted value (an OTLP histogram bucket) stands for many. */
export function countWeighted(batch: SampleBatch): number {
  let n = 0;
  for (const s of batch) {
    for (const p of s.explicit ?? []) n += p.count;
    if (!s.weights) {
      n += s.values.length;
      continue;
    }
    for (let i = 0; i < s.weights.length; i++) n += s.weights[i]!;
  }
  return n;
}

/** Stable text key of a series: attributes sorted so `{a,b}` and `{b,a}` are one series. */
export function seriesKey(identity: Pick<SeriesIdentity, 'service' | 'name' | 'attributes'>): string {
  const keys = Object.keys(identity.attributes).sort();
  // Keys as JSON.stringify wrote them when the key was built by copying into a `{}`, so stored keys still
  // match: integer-like names first, ascending. Written key by key, since that copy dropped an attribute
  // named `__proto__` (an own key of a parsed body) and merged its series with another.
  if (keys.some(isArrayIndex)) keys.sort(byPropertyOrder);
  let json = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    json += `${i === 0 ? '' : ','}${JSON.stringify(k)}:${JSON.stringify(identity.attributes[k])}`;
  }
  return `${identity.service}\u0000${identity.name}\u0000${json}}`;
}

/** A name an object keeps before its other keys, in ascending order: an array index (0 to 2^32 - 2). */
const isArrayIndex = (k: string): boolean => /^(?:0|[1-9][0-9]{0,9})$/.test(k) && Number(k) < 2 ** 32 - 1;

/** Sorted keys into an object's property order: array indexes first, by value; the rest as sorted. */
function byPropertyOrder(a: string, b: string): number {
  const ai = isArrayIndex(a);
  const bi = isArrayIndex(b);
  if (ai && bi) return Number(a) - Number(b);
  return ai ? -1 : bi ? 1 : 0;
}

/** A series' attributes, parsed from its key (the JSON after service and name). */
export function seriesAttributes(record: {
  key: string;
  service: string;
  name: string;
}): Record<string, AttributeValue> {
  return JSON.parse(attributesJson(record)) as Record<string, AttributeValue>;
}

/** The attributes part of a series key, as the JSON object text `seriesKey` wrote. */
export function attributesJson(record: { key: string; service: string; name: string }): string {
  return record.key.slice(record.service.length + record.name.length + 2);
}

/**
 * The largest magnitude a stored value may have (and, for a distribution point, its values times their count).
 * Values add up in buckets, rollups and upserts: past this a sum can overflow to Infinity, and +Infinity
 * plus -Infinity is NaN, which no store column takes (a rebuild would fail on it every time).
 */
export const MAX_MAGNITUDE = 1e300;

/** Rollup tiers, finest first. Every bucket start is a multiple of its tier's resolution. */
export const TIER_RESOLUTIONS = [1_000, 10_000, 60_000, 3_600_000] as const;
export type TierIndex = 0 | 1 | 2 | 3;

/**
 * Per-series buckets (any metric, any attributes) start at this tier, 10 s. The 1 s tier holds only the
 * per-service and per-route RED rollups the live dashboard reads: writing every series every second was
 * most of the ingest cost and of the disk, for a resolution only the RED views use.
 */
export const SAMPLE_TIER_FROM: TierIndex = 1;

/**
 * Per-route RED rollups start at this tier, 10 s: the 1 s tier keeps only per-service rollups, for the
 * live views; routes are read over whole ranges (the top-routes table), where 10 s is plenty. The 1 s
 * route rows were most of the rows every ingest request wrote.
 */
export const ROUTE_TIER_FROM: TierIndex = 1;

/**
 * Tiers from this one up (1 min, 1 h) are rebuilt from the tier below once a bucket with new data has
 * closed, instead of on every write: otherwise every ingest request rewrites and re-merges the same open
 * minute and hour buckets. Only data so old that the tier below will soon drop it is written directly.
 */
export const MATERIALIZED_FROM: TierIndex = 2;
/** Data within this much of the tier below's retention is written directly, not rebuilt. */
export const DIRECT_MARGIN_MS = 10 * 60_000;

/** What every bucket of a series keeps besides its distribution: count, sum, extremes, newest value. */
export interface BucketStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  /** Timestamp of `last`, so merged buckets keep the newest value whatever the merge order. */
  lastT: number;
}

/** Adds `from` into `into`. */
export function mergeStats(into: BucketStats, from: BucketStats): void {
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  if (from.lastT >= into.lastT) {
    into.last = from.last;
    into.lastT = from.lastT;
  }
}
