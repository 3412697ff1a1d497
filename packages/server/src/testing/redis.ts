import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
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
    heardCommit: () => {},
    registry: new Registry(),
    log: Fastify().log,
  });
  return { cluster, frames, alerts, forgotten, deletions };
}

/** Where the outage tests find redis-server to start a Redis of their own. */
export const REDIS_SERVER = '/usr/bin/redis-server';

/** A Redis of this test's own (the shared one must not be stopped), on `port`, keeping nothing on disk. */
export async function startRedis(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(REDIS_SERVER, args);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return child;
}

/**
 * A free port below the kernel's ephemeral range: a test may restart Redis on the same port seconds later,
 * and a port from that range may meanwhile be the local end of some other test's outgoing connection.
 */
export async function quietPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
