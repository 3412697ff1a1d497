import { randomUUID } from 'node:crypto';
import type { Alert } from '@pulseboard/shared';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLocalBus, type SecondFrame } from '../bus/bus.ts';
import { connectCluster } from '../bus/redis-cluster.ts';

/** The Redis the cluster tests use: the one these machines run, unless PULSEBOARD_TEST_REDIS names another. */
export const TEST_REDIS_URL = process.env.PULSEBOARD_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/**
 * Whether Redis answers; when it does not, says so on stderr, for the caller to skip its tests (a machine
 * without Redis cannot run them, and a silent skip would look like a pass).
 */
export async function redisReachable(suite: string): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    process.stderr.write(`NOTICE: ${suite} skipped: no Redis reachable at ${TEST_REDIS_URL}\n`);
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A key and channel prefix of its own per test run, so runs sharing one Redis never see each other. */
export function testPrefix(): string {
  return `pulseboard-test:${randomUUID()}`;
}

/** Deletes every key under `prefix` (leases left by instances that were killed). */
export async function dropKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/**
 * One instance's link to the cluster, in process, with what reaches its local bus (frames and alerts)
 * recorded. Close it with `cluster.close()`.
 */
export async function testCluster(prefix: string, url = TEST_REDIS_URL) {
  const local = createLocalBus();
  const frames: SecondFrame[] = [];
  const alerts: Alert[] = [];
  /** Services deleted elsewhere, as forgotten here, and as the local bus then heard of them. */
  const forgotten: string[] = [];
  const deletions: string[] = [];
  local.subscribe('frame', (frame) => frames.push(frame));
  local.subscribe('alert', (a) => alerts.push(a));
  local.subscribe('serviceDeleted', ({ name }) => deletions.push(name));
  const cluster = await connectCluster({
    url,
    prefix,
    // Long enough for any load on a shared machine; the wait ends as soon as every partial is in.
    frameWaitMs: 5000,
    local,
    forgetService: async (name) => void forgotten.push(name),
    registry: new Registry(),
    log: Fastify().log,
  });
  return { cluster, frames, alerts, forgotten, deletions };
}
