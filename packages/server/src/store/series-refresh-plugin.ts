import type { FastifyPluginAsync } from 'fastify';
import type { Core } from '../core.ts';
import { runPeriodically } from './periodic.ts';

const EVERY_MS = 5_000;

/**
 * Where instances share the store (PostgreSQL), adds the series other instances stored to this one's
 * registry every few seconds, so its queries and discovery find them. An id is taken when a transaction
 * inserts and seen when it commits, so a slow commit can show a smaller id after a larger one: each pass
 * reads from where the pass before it started, not from the largest id it found.
 */
export const seriesRefreshPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  if (!core.store.sharedSeries) return;
  let from = core.registry.largestId;
  runPeriodically(app, 'loading series other instances stored', EVERY_MS, async () => {
    const next = core.registry.largestId;
    const adopted = await adoptStoredSeries(core, from);
    from = next;
    if (adopted > 0) app.log.debug({ adopted }, 'series other instances stored');
  });
};

/** Adds the series stored with ids above `from` that this instance's registry lacks; how many. */
export async function adoptStoredSeries(core: Core, from: number): Promise<number> {
  let adopted = 0;
  for await (const record of core.store.sharedSeries?.after(from) ?? []) {
    if (core.registry.adopt(record)) adopted++;
  }
  return adopted;
}
