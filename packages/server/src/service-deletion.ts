import type { Core } from './core.ts';

/**
 * Deletes a service here: its data from the store (`inStore`; not when another instance sharing the store
 * has already deleted it there), its series from the registry, its reporting interval. What is queued
 * commits first, and nothing commits in between: a commit would store rows of series the store has just
 * forgotten (requests queued meanwhile that name them are answered 503 to retry). False when the store
 * did not know the service. Listeners of `serviceDeleted` (cumulative state, live) are the caller's to tell.
 */
export async function deleteService(core: Core, name: string, { inStore = true } = {}): Promise<boolean> {
  await core.aggregator.flush();
  const deleted = await core.aggregator.between(async () => {
    if (inStore && !(await core.store.deleteService(name))) return false;
    core.registry.forgetService(name);
    return true;
  });
  if (deleted) {
    core.intervals.forget(name);
    core.query.services.forget(name);
  }
  return deleted;
}
