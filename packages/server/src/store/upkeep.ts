import type { Core } from '../core.ts';

/**
 * Whether this instance does the store's upkeep (rebuilding coarse buckets, retention): always, unless
 * instances share the store and another one holds the cluster's upkeep lease (then the work is done once).
 * Instances sharing a store without Redis each do it: the work is repeated, never wrong (a rebuild replaces
 * a bucket from the tier below, retention deletes what is past its cutoff).
 */
export function doesUpkeep(core: Core): boolean {
  return !core.store.sharedSeries || !core.cluster || core.cluster.upkeepLease.held;
}

/**
 * Where instances share the store: takes in the dirty marks the others made (their writes into coarse
 * buckets) and cleared (their rebuilds), so queries here know which coarse buckets are stale, and the
 * upkeep holder rebuilds what any instance wrote into.
 */
export async function syncDirtyMarks(core: Core): Promise<void> {
  if (!core.store.sharedSeries) return;
  const readAt = core.now();
  const rows = await core.store.loadDirty();
  core.query.dirty.sync(rows, core.now(), readAt);
}
