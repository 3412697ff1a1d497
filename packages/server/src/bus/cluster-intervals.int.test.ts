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
const START = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
const up =
  (await redisReachable('cluster report intervals test (bus/cluster-intervals.int.test.ts)')) &&
  (await postgresReachable('cluster report intervals test (bus/cluster-intervals.int.test.ts)'));

/**
 * A service exporting every minute, or sending its spans every 5 s, behind a load balancer: each instance sees
 * only some of its exports, yet both must read it up to its newest one (a chart on the instance that did not
 * get it stopped there, or read the other's newer data over its own shorter time).
 */
describe.skipIf(!up)('report intervals shared between instances', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two instances on one PostgreSQL database and Redis, on one clock. */
  const twoInstances = async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const clock = { now: START };
    const open = async () => {
      const config = { db: database.url, redis: TEST_REDIS_URL, redisPrefix: prefix };
      const { app } = await startTestApp(config, () => clock.now);
      cleanups.push(() => app.close());
      return app;
    };
    return { clock, a: await open(), b: await open() };
  };

  it('both instances read a service up to its newest export, wherever it arrived', async () => {
    const { clock, a, b } = await twoInstances();
    const start = START;

    // An SDK's cumulative histogram, 100 more requests a minute, its exports sent to a and b in turn.
    for (let i = 1; i <= 8; i++) {
      clock.now = start + i * MINUTE + 500;
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
    await waitUntil(() => a.core.intervals.reportedUntil('ledger', clock.now) === last);

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

  it('both instances read a service of two pods up to where both have exported, wherever each export arrived', async () => {
    const { clock, a, b } = await twoInstances();
    const HALF = MINUTE / 2;
    // Two pods of one SDK's cumulative histogram, 100 requests a minute each, exporting 30 s apart: pod-0's
    // exports reach a, pod-1's b (keep-alive holds each exporter to one instance).
    for (let i = 1; i <= 16; i++) {
      const pod = (i + 1) % 2;
      const began = START + pod * HALF;
      const at = began + Math.ceil(i / 2) * MINUTE;
      clock.now = at + 500;
      const res = await (pod === 0 ? a : b).inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: otlpCumulativeRequests('pods', began, at, 100 * Math.ceil(i / 2), `pod-${pod}`),
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    // pod-1 exported last (to b), up to START + 8 min 30 s; pod-0 up to START + 8 min (to a): a hears of pod-1's
    // through Redis.
    const both = START + 8 * MINUTE;
    await waitUntil(() => a.core.intervals.readsUpTo('pods', clock.now) === both);
    const red = async (app: FastifyInstance) => {
      const url = `/api/v1/red?service=pods&from=${START}&to=${START + 9 * MINUTE}&maxPoints=9`;
      const [series] = (await getJson<RedResponse>(app, url)).body.series;
      return { until: series!.until, count: series!.points.reduce((n, p) => n + p.count, 0) };
    };
    // pod-0's 800 and pod-1's 750 of the time before 8 min. Before, each read up to 8 min 30 s: the last half
    // minute had pod-1's requests only, and the last bucket read half the rate.
    expect(await red(a)).toEqual({ until: both, count: 1550 });
    expect(await red(b)).toEqual({ until: both, count: 1550 });
  });

  it('both instances read a trace-only service sending every 5 s at its rate, wherever its batches arrived', async () => {
    const { clock, a, b } = await twoInstances();
    const sentAt = (i: number) => START + i * 5000 + 400;
    // 20 SERVER spans a second, each batch those that ended since the last one; the SDK's keep-alive connection
    // keeps them all on b.
    for (let i = 1; i <= 8; i++) {
      clock.now = sentAt(i);
      const res = await b.inject({
        method: 'POST',
        url: '/v1/traces',
        headers: { 'content-type': 'application/json' },
        payload: serverSpans('cart', sentAt(i - 1), sentAt(i), 20),
      });
      expect(res.statusCode, res.body).toBe(200);
      // a hears of it through Redis within milliseconds, on this clock still at the time the batch came.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // So a reads the service as sending every 6 s, as b does.
    await waitUntil(() => a.core.intervals.of('cart') === 6000 && a.core.intervals.dataFrom('cart') === START + 1000);
    clock.now += 2500;
    for (const app of [a, b]) {
      const url = `/api/v1/red?service=cart&from=${START}&to=${clock.now}`;
      const [series] = (await getJson<RedResponse>(app, url)).body.series;
      // The first bucket from its first span at :00.4 (over the whole second it came in); without the news, a
      // read the part of its newest second that had come, and the seconds since as 0.
      expect(series!.points.map((p) => p.rate)).toEqual([19.2, 20, 20, 20]);
    }
  });
});

/** An OTLP/JSON trace export: `perSecond` SERVER spans of 10 ms of `service` ending in [from, to). */
function serverSpans(service: string, from: number, to: number, perSecond: number): string {
  const spans = [];
  const every = 1000 / perSecond;
  for (let end = Math.ceil((from - every / 2) / every) * every + every / 2; end < to; end += every) {
    spans.push({ name: 'GET /x', kind: 2, startTimeUnixNano: `${end - 10}000000`, endTimeUnixNano: `${end}000000` });
  }
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  return JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ spans }] }] });
}
