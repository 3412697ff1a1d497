import type { MetricType } from '@pulseboard/shared';
import type { BucketStats, TierIndex } from '../model.ts';
import type { Rows } from './rows.ts';

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
  /**
   * When written: the state this one's deltas were taken against (null: none, the point counted in full).
   * A store that several instances share commits it only while that is still the stored state, and
   * otherwise fails the commit with a `StaleCumulativeError`: another instance has moved the series on, and
   * these deltas would count its points again. Absent: written unconditionally.
   */
  after?: { start: number; time: number } | null;
}

/**
 * One transaction's worth of writes, collected and then committed together (after Prometheus' `Appender`).
 * Every producer (the aggregator for workers' and the main thread's folds, the demo backfill) writes
 * through one, with bucket rows in the one shape of `Rows`.
 *
 * The contract, which every implementation keeps:
 * - **Atomic**: nothing reaches the database before `commit`; `commit` writes everything appended, or, when
 *   it fails (its promise rejects), nothing at all. A half-written batch is never visible or durable.
 * - **Durable before it resolves**: the promise resolves only once the transaction has committed durably
 *   (it survives `kill -9`), so a request acknowledged after it is never lost. Implementations may do the
 *   work synchronously inside `commit` (SQLite) or asynchronously (a network database).
 * - **Additive rows, overwritten state**: bucket rows add into what is stored (counts and sums add,
 *   sketches merge, min and max and the newest `last` combine), so commits touching the same bucket add
 *   up in any order. Cumulative state, like the deltas it produced, is in the same transaction: exactly
 *   once across restarts. Cumulative state overwrites, so two commits carrying the same series' state
 *   must not overlap: the aggregator starts a commit only after the previous one settled.
 * - **Series first**: a series added here may be named by rows of this commit; rows may also name series
 *   committed earlier. An appender is used once, on the main thread, and dropped after `commit`.
 */
export interface Appender {
  addSeries(record: SeriesRecord): void;
  /** Bucket rows whose series column holds store series ids (see `withSeriesIds`). */
  addRows(rows: Rows): void;
  /** The oldest and newest times a commit holds of a service: they widen its "first seen" and "last seen". */
  seeService(name: string, seen: SeenSpan): void;
  setCumulative(state: CumulativeState): void;
  /** A coarse bucket to rebuild from the tier below (see MATERIALIZED_FROM). */
  markDirty(tier: number, t: number): void;
  commit(): Promise<void>;
}

/** The oldest bucket start and the newest observation time of a service in some data. */
export interface SeenSpan {
  first: number;
  last: number;
  /**
   * How late the oldest observation was when its request arrived (ms; the most over merged requests):
   * how the sender sends, without the time the server then took to commit it or to hear of it from another
   * instance. Absent where the arrival is unknown (the commit's time stands in).
   */
  lag?: number;
}

/** Widens `into`'s span of `name` by `seen`. */
export function widenSeen(into: Map<string, SeenSpan>, name: string, seen: SeenSpan): void {
  const held = into.get(name);
  if (!held) into.set(name, { ...seen });
  else {
    held.first = Math.min(held.first, seen.first);
    held.last = Math.max(held.last, seen.last);
    if (seen.lag !== undefined) held.lag = Math.max(held.lag ?? seen.lag, seen.lag);
  }
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

/** A stored dirty mark: see `Store.loadDirty`. */
export type DirtyRow = [tier: number, t: number, marks: number];

/** A slice of a build, one transaction each: series with ids in [fromId, toId), or the RED rollups. */
export type BuildPart = { kind: 'series'; fromId: number; toId: number } | { kind: 'red' };

/**
 * The storage boundary: only implementations of this import a database driver. Every read and write returns
 * a promise, so a network database (PostgreSQL) can implement it; the embedded SQLite store does its work
 * synchronously and returns settled promises. Callers must not assume a read finishes in the tick it
 * started: state that a read and a following write both depend on is re-checked after the await.
 */
export interface Store {
  /** Every series, read row by row: a database at the series limit must load within the heap cap. */
  loadSeries(): AsyncIterable<SeriesRecord>;
  loadCumulativeState(): Promise<CumulativeState[]>;
  /** Deletes the cumulative state of series whose last point is older than `time`; how many. */
  forgetCumulativeBefore(time: number): Promise<number>;
  /** A new write; see `Appender` for what its commit promises. */
  appender(): Appender;
  /**
   * Whether the store merges the rows of a commit's requests itself (SQLite's write-behind merges them with
   * every commit's since its last flush): then they are handed over as they are, not merged first.
   */
  readonly mergesRows?: boolean;
  readRed(read: RedRead): Promise<RedBucket[]>;
  readSamples(tier: TierIndex, seriesIds: readonly number[], from: number, to: number): Promise<SampleBucket[]>;
  services(): Promise<ServiceRecord[]>;
  /** Forgets a service and all its data; false when it was unknown. */
  deleteService(name: string): Promise<boolean>;
  /** Builds part of `tier`'s buckets in [from, to) from the tier below, replacing what is there. */
  buildBuckets(tier: TierIndex, from: number, to: number, part: BuildPart): Promise<void>;
  /**
   * Clears a bucket's dirty mark once every part of it has been rebuilt, unless it has been marked again
   * since it was read with `marks` (see `loadDirty`): where instances share the store, another one may have
   * written into the bucket during the rebuild, and its mark must stay.
   */
  markBuilt(tier: TierIndex, t: number, marks: number): Promise<void>;
  /**
   * Buckets marked dirty and not rebuilt yet, as [tier, start, marks]: `marks` grows each time the bucket
   * is marked again, where instances share the store (elsewhere it is 1: one process keeps the count).
   */
  loadDirty(): Promise<DirtyRow[]>;
  /** Deletes `tier`'s buckets before `cutoff` of these series and services; returns rows deleted. */
  expire(tier: TierIndex, cutoff: number, seriesIds: readonly number[], services: readonly string[]): Promise<number>;
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  sizeBytes(): Promise<number>;
  /** Waits for calls in flight, then closes; calls made after it reject. */
  close(): Promise<void>;
  /** Set by stores several instances share (PostgreSQL), which assign series ids themselves. */
  sharedSeries?: SharedSeries;
}

/**
 * Series ids in a store several instances share: the store assigns them, so every instance agrees. The
 * registry hands out provisional (negative) ids meanwhile (`SeriesRegistry.provisionalIds`).
 */
export interface SharedSeries {
  /** Series stored with ids above `id`, by any instance, in id order. */
  after(id: number): AsyncIterable<SeriesRecord>;
  /** Hears, after each commit that stored new series, the id the store gave each, to renumber them. */
  onAssigned: ((assigned: readonly [record: SeriesRecord, id: number][]) => void) | null;
}
