import type { RedResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpCumulativeRequests } from '../testing/otlp-export.ts';
import { createTestDatabase, postgresReachable } from '../testing/postgres.ts';
import { waitUntil } from '../testing/processes.ts';
import { dropKeys, redisReachable, TEST_REDIS_URL, testPrefix } from '../testing/redis.ts';
import { getJson, startTestApp } from '../testing/test-app.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const up =
  (await redisReachable('cluster report intervals test (bus/cluster-intervals.int.test.ts)')) &&
  (await postgresReachable('cluster report intervals test (bus/cluster-intervals.int.test.ts)'));

/**
 * A service exporting every minute behind a load balancer: each instance sees only some of its exports,
 * yet both must read it up to its newest one (a chart on the instance that did not get it stopped there).
 */
describe.skipIf(!up)('report intervals shared between instances', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('both instances read a service up to its newest export, wherever it arrived', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const start = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    let clock = start;
    const now = () => clock;
    const open = async () => {
      const { app } = await startTestApp({ db: database.url, redis: TEST_REDIS_URL, redisPrefix: prefix }, now);
      cleanups.push(() => app.close());
      return app;
    };
    const [a, b] = [await open(), await open()];

    // An SDK's cumulative histogram, 100 more requests a minute, its exports sent to a and b in turn.
    for (let i = 1; i <= 8; i++) {
      clock = start + i * MINUTE + 500;
      const res = await (i % 2 === 1 ? a : b).inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: otlpCumulativeRequests('ledger', start, start + i * MINUTE, 100 * i),
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const last = start + 8 * MINUTE;
    // b took the last export; a hears of it through Redis.
    await waitUntil(() => a.core.intervals.reportedUntil('ledger', clock) === last);

    const red = async (app: FastifyInstance) => {
      const url = `/api/v1/red?service=ledger&from=${start}&to=${start + 9 * MINUTE}&maxPoints=9`;
      const [series] = (await getJson<RedResponse>(app, url)).body.series;
      return {
        until: series!.until,
        interval: series!.interval,
        count: series!.points.reduce((n, p) => n + p.count, 0),
      };
    };
    // Before, a stopped at its own newest export (start + 7 min): 700 of 800.
    expect(await red(a)).toEqual({ until: last, interval: MINUTE, count: 800 });
    expect(await red(b)).toEqual({ until: last, interval: MINUTE, count: 800 });
  });
});
