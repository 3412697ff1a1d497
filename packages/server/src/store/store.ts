import type { MetricType } from '@pulseboard/shared';
import type { BucketStats, TierIndex } from '../model.ts';

/**
 * A series as stored, with what the RED views need precomputed from its attributes. The attributes
 * themselves are only in `key` (see `seriesAttributes`): a parsed copy per series was over a third of the registry's
 * memory, and only discovery and attribute filters read them.
 */
export interface SeriesRecord {
  id: number;
  key: string;
  service: string;
  name: string;
  kind: MetricType;
  unit: string;
  /** Set for request-duration histograms: they feed the RED tables. */
  red: boolean;
  route: string | null;
  isError: boolean;
  instance: string | null;
}

/** One series' aggregate over one bucket. Gauges use last/min/max/sum/count, counters sum, histograms the sketch. */
export interface SampleBucket extends BucketStats {
  seriesId: number;
  t: number;
  sketch: Buffer | null;
}

/** Requests of one service (and route, or all routes when `route` is undefined) over one bucket. */
export interface RedBucket {
  service: string;
  route?: string | null;
  t: number;
  count: number;
  errors: number;
  sketch: Buffer;
}

/**
 * The last point of a cumulative series (OTLP), kept so the next point can be turned into a delta. Written
 * in the same transaction as the deltas it produced, so a restart never counts anything twice.
 */
export interface CumulativeState {
  key: string;
  /** The series' start time: a new one means the counter was reset. */
  start: number;
  time: number;
  /** Encoder-specific JSON (a sum, or histogram bucket counts). */
  state: string;
}

/** Receives one sample row (see `RowColumns`). */
export type SampleRowSink = (
  tier: number,
  seriesId: number,
  t: number,
  count: number,
  sum: number,
  min: number,
  max: number,
  last: number,
  lastT: number,
  sketch: Buffer | null,
) => void;
/** Receives one RED row; `route` is undefined for a per-service row, null for requests without a route. */
export type RedRowSink = (
  tier: number,
  service: string,
  route: string | null | undefined,
  t: number,
  count: number,
  errors: number,
  sketch: Buffer,
) => void;

/**
 * Rows kept as columns (a request folded by a decode worker, see aggregate/packed.ts), handed to the store
 * one at a time as arguments: tens of thousands of rows a second would otherwise each become an object.
 */
export interface RowColumns {
  forEachSample(sink: SampleRowSink): void;
  forEachRed(sink: RedRowSink): void;
}

/** Everything one group commit writes, in one transaction. Buckets are additive deltas. */
export interface WriteSet {
  cumulative?: CumulativeState[];
  /** More rows, as columns; written like the rows in `samples`, `redServices` and `redRoutes`. */
  columns?: RowColumns[];
  /** Coarse buckets, [tier, start], to rebuild from the tier below (see MATERIALIZED_FROM). */
  dirty?: [number, number][];
  newSeries: SeriesRecord[];
  samples: SampleBucket[][];
  redRoutes: RedBucket[][];
  redServices: RedBucket[][];
  /** Newest timestamp seen per service in this write. */
  serviceSeen: Map<string, number>;
}

export interface ServiceRecord {
  name: string;
  firstSeen: number;
  lastSeen: number;
}

export interface RedRead {
  tier: TierIndex;
  services: readonly string[];
  byRoute: boolean;
  /** Bucket starts in [from, to). */
  from: number;
  to: number;
}

/** A slice of a build, one transaction each: series with ids in [fromId, toId), or the RED rollups. */
export type BuildPart = { kind: 'series'; fromId: number; toId: number } | { kind: 'red' };

/** The storage boundary: only implementations of this import a database driver. */
export interface Store {
  /** Every series, read row by row: a database at the series limit must load within the heap cap. */
  loadSeries(): Iterable<SeriesRecord>;
  loadCumulativeState(): CumulativeState[];
  /** Deletes the cumulative state of series whose last point is older than `time`; how many. */
  forgetCumulativeBefore(time: number): number;
  write(set: WriteSet): void;
  readRed(read: RedRead): RedBucket[];
  readSamples(tier: TierIndex, seriesIds: readonly number[], from: number, to: number): SampleBucket[];
  services(): ServiceRecord[];
  /** Forgets a service and all its data; false when it was unknown. */
  deleteService(name: string): boolean;
  /** Builds part of `tier`'s buckets in [from, to) from the tier below, replacing what is there. */
  buildBuckets(tier: TierIndex, from: number, to: number, part: BuildPart): void;
  /** Clears a bucket's dirty mark once every part of it has been rebuilt. */
  markBuilt(tier: TierIndex, t: number): void;
  /** Buckets marked dirty and not rebuilt yet, as [tier, start]. */
  loadDirty(): [number, number][];
  /** Deletes `tier`'s buckets before `cutoff` of these series and services; returns rows deleted. */
  expire(tier: TierIndex, cutoff: number, seriesIds: readonly number[], services: readonly string[]): number;
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;
  sizeBytes(): number;
  close(): void;
}

export function emptyWriteSet(tiers: number): WriteSet {
  return {
    newSeries: [],
    samples: Array.from({ length: tiers }, () => []),
    redRoutes: Array.from({ length: tiers }, () => []),
    redServices: Array.from({ length: tiers }, () => []),
    serviceSeen: new Map(),
  };
}
