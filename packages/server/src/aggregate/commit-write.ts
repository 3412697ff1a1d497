import { mergeRows } from '../store/merge-rows.ts';
import { type Rows, withSeriesIds } from '../store/rows.ts';
import type { StaleCumulativeError } from '../store/stale-cumulative.ts';
import type { CumulativeState, SeriesRecord, Store } from '../store/store.ts';
import type { PackedFold } from './packed.ts';
import { seriesToAdd } from './series-registry.ts';

/** One request's part of a commit. */
export interface QueuedWrite {
  /** The request's folds, their rows naming series by index into `records`. */
  folds: readonly PackedFold[];
  /** Every series the folds name, in order. */
  records: readonly SeriesRecord[];
  /** Series this request registered: stored with it. */
  created: readonly SeriesRecord[];
  cumulative: readonly CumulativeState[];
}

/** Writes the requests' series, cumulative state, rows, seen times and dirty marks in one transaction. */
export async function writeCommit(store: Store, batch: readonly QueuedWrite[]): Promise<void> {
  const appender = store.appender();
  const parts: { serviceSeen: PackedFold['serviceSeen']; rows: Rows }[] = [];
  for (const p of batch) {
    // Ids are read now, not at enqueue: where the store assigns them (PostgreSQL), a series a previous
    // commit created has been renumbered from its provisional id since (see `SeriesRegistry.renumber`).
    let next = 0;
    for (const fold of p.folds) {
      const ids = p.records.slice(next, (next += fold.identities.length)).map((r) => r.id);
      parts.push({ serviceSeen: fold.serviceSeen, rows: withSeriesIds(fold.rows, ids) });
    }
    for (const record of seriesToAdd(p.records, p.created)) appender.addSeries(record);
    for (const state of p.cumulative) appender.setCumulative(state);
  }
  if (store.mergesRows) for (const { rows } of parts) appender.addRows(rows);
  else for (const rows of byService(parts)) appender.addRows(mergeRows(rows));
  const dirty = new Set<string>();
  for (const p of batch) {
    for (const fold of p.folds) {
      for (const [service, seen] of fold.serviceSeen) appender.seeService(service, seen);
      for (let i = 0; i < fold.dirty.length; i += 2) {
        const tier = fold.dirty[i]!;
        const t = fold.dirty[i + 1]!;
        const key = `${tier}:${t}`;
        if (dirty.has(key)) continue;
        dirty.add(key);
        appender.markDirty(tier, t);
      }
    }
  }
  await appender.commit();
}

/**
 * The requests whose cumulative state the error found moved on (or gone): only they fail, and are converted
 * again against the stored state; the rest of the commit is written without them.
 */
export function staleParts<T extends QueuedWrite>(batch: readonly T[], error: StaleCumulativeError): T[] {
  const stale = new Set([...error.current.map((state) => state.key), ...error.missing]);
  return batch.filter((p) => p.cumulative.some((state) => stale.has(state.key)));
}

/**
 * The folds' rows in groups to merge (see merge-rows.ts): each bucket once per commit, since the queued
 * requests of a live service fill the same buckets. Only folds that share a service can share a bucket, so
 * requests of different services stay apart and skip the merge's cost (a fold naming services of two groups
 * joins the first: its rows are then written separately from the other's, which costs rows, not
 * correctness).
 */
function byService(parts: readonly { serviceSeen: PackedFold['serviceSeen']; rows: Rows }[]): Rows[][] {
  const groups: Rows[][] = [];
  const groupOf = new Map<string, Rows[]>();
  for (const { serviceSeen, rows } of parts) {
    let group: Rows[] | undefined;
    for (const [service] of serviceSeen) if ((group = groupOf.get(service))) break;
    if (!group) groups.push((group = []));
    group.push(rows);
    for (const [service] of serviceSeen) groupOf.set(service, group);
  }
  return groups;
}
