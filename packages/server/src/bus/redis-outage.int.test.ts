import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveSeconds, liveStats } from '../aggregate/live-stats.ts';
import { killHard, waitUntil } from '../testing/processes.ts';
import { quietPort, REDIS_SERVER, startRedis, testCluster, testPrefix } from '../testing/redis.ts';

const installed = fs.existsSync(REDIS_SERVER);
if (!installed) process.stderr.write(`NOTICE: Redis outage test skipped: no ${REDIS_SERVER} to start one of its own\n`);

describe.skipIf(!installed)('Redis going away', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps live frames going from this instance alone, gives up the alert lease, and rejoins when Redis is back', async () => {
    const port = await quietPort();
    let redis = await startRedis(port);
    cleanups.push(() => killHard(redis));
    const prefix = testPrefix();
    const { cluster, frames } = await testCluster(prefix, `redis://127.0.0.1:${port}`);
    cleanups.push(() => cluster.close());
    expect(cluster.alertLease.held).toBe(true);

    await killHard(redis);
    // Frames still go out, with this instance's own traffic.
    const seconds: LiveSeconds = new Map();
    const stats = liveStats(seconds, 'checkout', 1_800_000_000_000);
    stats.count = 7;
    stats.sketch.add(12, 7);
    cluster.closeSecond(1_800_000_000_000, new Map([['checkout', { stats, interval: 1000 }]]));
    expect(frames.map((f) => f.services.checkout?.count)).toEqual([7]);
    // Nobody can renew the lease: this instance stops evaluating once it has run out.
    await waitUntil(() => !cluster.alertLease.held, 15_000);

    redis = await startRedis(port);
    await waitUntil(() => cluster.alertLease.held, 30_000);
    // Subscribed again: another instance's partials reach it, and their frames merge.
    const other = await testCluster(prefix, `redis://127.0.0.1:${port}`);
    cleanups.push(() => other.cluster.close());
    let t = 1_800_000_000_000;
    await waitUntil(() => {
      t += 1000;
      cluster.closeSecond(t, new Map());
      other.cluster.closeSecond(t, new Map());
      return cluster.peers === 1 && other.cluster.peers === 1;
    }, 30_000);
  }, 90_000);
});
