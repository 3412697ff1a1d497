import type { Alert } from '@pulseboard/shared';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveSeconds, liveStats } from '../aggregate/live-stats.ts';
import type { FramePartial } from '../live/second-window.ts';
import { round } from '../query/round.ts';
import { Sketch } from '../sketch/sketch.ts';
import { waitUntil } from '../testing/processes.ts';
import { dropKeys, redisReachable, TEST_REDIS_URL, testCluster, testPrefix } from '../testing/redis.ts';
import { logNormalValues } from '../testing/test-app.ts';
import { RedisLease } from './lease.ts';

const up = await redisReachable('Redis bus tests (bus/redis-cluster.int.test.ts)');
const T = 1_800_000_000_000;

function partialOf(service: string, values: readonly number[]): FramePartial {
  const seconds: LiveSeconds = new Map();
  const stats = liveStats(seconds, service, T);
  for (const v of values) {
    stats.count++;
    stats.sketch.add(v);
  }
  return new Map([[service, { stats, interval: 1000 }]]);
}

const alert: Alert = {
  id: 'a1',
  ruleId: 'r1',
  ruleName: 'p99 high',
  service: 'checkout',
  state: 'firing',
  severity: 'critical',
  signal: 'p99',
  value: 900,
  threshold: 500,
  startedAt: T,
  reason: 'p99 900 ms > 500 ms',
  silenced: false,
};

describe.skipIf(!up)('Redis bus', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function instance(prefix: string) {
    const made = await testCluster(prefix);
    cleanups.push(() => made.cluster.close());
    return made;
  }

  it("merges both instances' partials of a second into each one's frame, and relays alert changes", async () => {
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const a = await instance(prefix);
    const b = await instance(prefix);
    // Each learns of the other from its partials (sent every second, even empty).
    a.cluster.closeSecond(T - 1000, new Map());
    b.cluster.closeSecond(T - 1000, new Map());
    await waitUntil(() => a.cluster.peers === 1 && b.cluster.peers === 1);

    const fromA = logNormalValues(400, 3);
    const fromB = logNormalValues(100, 5, 6, 0.3);
    a.cluster.closeSecond(T, partialOf('checkout', fromA));
    b.cluster.closeSecond(T, partialOf('checkout', fromB));
    await waitUntil(() => a.frames.some((f) => f.t === T) && b.frames.some((f) => f.t === T));

    const all = new Sketch();
    for (const v of [...fromA, ...fromB]) all.add(v);
    for (const { frames } of [a, b]) {
      const checkout = frames.find((f) => f.t === T)!.services.checkout!;
      expect(checkout.count).toBe(500);
      expect([checkout.p50, checkout.p95, checkout.p99]).toEqual([0.5, 0.95, 0.99].map((q) => round(all.quantile(q))));
    }

    a.cluster.bus.publish('alert', alert);
    await waitUntil(() => b.alerts.length > 0);
    expect(b.alerts).toEqual([alert]);
    // The sender's own message comes back on the channel and is not shown twice.
    expect(a.alerts).toEqual([alert]);
  });

  it('has a service deleted on one instance forgotten on the others, and one upkeep lease holder', async () => {
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const a = await instance(prefix);
    const b = await instance(prefix);
    expect([a.cluster.upkeepLease.held, b.cluster.upkeepLease.held]).toEqual([true, false]);
    a.cluster.bus.publish('serviceDeleted', { name: 'checkout' });
    await waitUntil(() => b.deletions.length > 0);
    // b forgot it before its own listeners heard of it; a (which deleted it) is not asked again.
    expect(b.forgotten).toEqual(['checkout']);
    expect(b.deletions).toEqual(['checkout']);
    expect(a.forgotten).toEqual([]);
    expect(a.deletions).toEqual(['checkout']);
  });

  it('gives the lease to one instance at a time; another takes it over once the holder stops renewing', async () => {
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const redis = new Redis(TEST_REDIS_URL);
    cleanups.push(async () => void redis.disconnect());
    const key = `${prefix}:lease:alerts`;
    const lease = (owner: string) => new RedisLease({ redis, key, owner, ttlMs: 3000, renewEveryMs: 100 });
    const first = lease('first');
    const second = lease('second');
    await first.start();
    await second.start();
    cleanups.push(() => second.stop(true));
    expect(first.held).toBe(true);
    expect(second.held).toBe(false);

    // Renewals keep it: several TTLs later the first still holds it.
    let overlapped = false;
    const watch = setInterval(() => (overlapped ||= first.held && second.held), 10);
    cleanups.push(async () => clearInterval(watch));
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await redis.get(key)).toBe('first');
    expect(second.held).toBe(false);

    // The holder dies (no release): the key stays its own until it expires, then the other takes it.
    await first.stop(false);
    expect(await redis.get(key)).toBe('first');
    await waitUntil(() => second.held, 10_000);
    expect(await redis.get(key)).toBe('second');
    expect(overlapped).toBe(false);

    // A clean stop releases it at once: the next renewal of the other takes it.
    const third = lease('third');
    await third.start();
    cleanups.push(() => third.stop(true));
    expect(third.held).toBe(false);
    await second.stop(true);
    await waitUntil(() => third.held, 10_000);
  });
});
