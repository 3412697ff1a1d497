import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { collect } from './collect.ts';

/** One seed for every property test: a failure replays exactly (fast-check prints the counterexample path). */
export const FUZZ_SEED = 42;
// Tests pass `endOnFailure: true` too: shrinking a counterexample replays the request hundreds of times
// and could run for minutes; the seed and path printed are enough to replay it.

/**
 * What the store holds, as one comparable value: services, series, and every raw sample bucket's count and
 * sum. A refused request must leave it unchanged (all-or-nothing), so a half-written batch shows up here.
 */
export async function storedSnapshot(app: FastifyInstance) {
  const store = app.core.store;
  const series = await collect(store.loadSeries());
  const ids = series.map((s) => s.id);
  const samples: string[] = [];
  for (const tier of [0, 1, 2, 3] as const) {
    try {
      const buckets = await store.readSamples(tier, ids, 0, Number.MAX_SAFE_INTEGER);
      samples.push(...buckets.map((b) => `${tier}:${b.seriesId}@${b.t}:${b.count}/${b.sum}`));
    } catch (error) {
      // Tiers that keep only rollups say so with a RangeError; they have no per-series samples to compare.
      if (!(error instanceof RangeError)) throw error;
    }
  }
  const services = (await store.services()).map((s) => `${s.name}:${s.lastSeen}`);
  return { services, series: series.map((s) => s.key), samples };
}

export async function expectAlive(app: FastifyInstance): Promise<void> {
  expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
}
