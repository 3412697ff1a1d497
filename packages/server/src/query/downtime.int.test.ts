import type { HealthResponse, RedResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresReachable } from '../testing/postgres.ts';
import { waitUntil } from '../testing/processes.ts';
import { dropKeys, redisReachable, TEST_REDIS_URL, testPrefix } from '../testing/redis.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const MINUTE = 60_000;
const START = 1_800_000_000_000 - (1_800_000_000_000 % (60 * MINUTE));

/** `n` requests of 20 ms of `service` in each minute of [from, to). */
function requests(service: string, from: number, to: number, n = 30) {
  const items = [];
  for (let t = from; t < to; t += MINUTE) {
    for (let i = 0; i < n; i++) {
      items.push({
        service,
        name: 'http.server.request.duration',
        type: 'histogram',
        value: 20,
        timestamp: t + i * 1000,
        attributes: { 'http.route': '/a', 'http.response.status_code': 200 },
      });
    }
  }
  return items;
}

describe('time the server was not running', () => {
  const apps: { close: () => Promise<unknown> }[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('reads as no data, not as every service quiet and failing', async () => {
    let clock = START + 10 * MINUTE;
    const first = await startTestApp({}, () => clock);
    expect((await ingest(first.app, requests('shop', START, START + 10 * MINUTE))).status).toBe(202);
    await first.app.close();

    // Down for 10 minutes, then up again, with the service sending as before.
    clock = START + 20 * MINUTE;
    const { app } = await startTestApp({ db: first.config.db }, () => clock);
    apps.push(app);
    expect((await ingest(app, requests('shop', START + 20 * MINUTE, START + 30 * MINUTE))).status).toBe(202);
    clock = START + 30 * MINUTE;

    const range = `from=${START}&to=${START + 30 * MINUTE}&maxPoints=30`;
    const red = (await getJson<RedResponse>(app, `/api/v1/red?service=shop&${range}`)).body;
    const times = red.series[0]!.points.map((p) => (p.t - START) / MINUTE);
    // Minutes 10 - 19 have no points (a gap), the minutes around them their requests.
    expect(times).toEqual([...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 20 + i)]);
    expect(red.series[0]!.points.every((p) => p.count === 30)).toBe(true);

    const health = (await getJson<HealthResponse>(app, `/api/v1/health?${range}`)).body;
    const cells = health.cells.filter((c) => c.t >= START + 10 * MINUTE && c.t < START + 20 * MINUTE);
    expect(cells).toHaveLength(10);
    expect(cells.every((c) => c.score === null && c.down === true)).toBe(true);
    // The minutes with requests score as usual.
    expect(health.cells.filter((c) => c.score === 1)).toHaveLength(20);

    // The stat cards' rate over a window holding the stop divides by the time the server ran: 0.5/s.
    const overview = await getJson<{ services: { service: string; rate: number }[] }>(
      app,
      `/api/v1/overview?from=${START + 5 * MINUTE}&to=${START + 25 * MINUTE}`,
    );
    expect(overview.body.services).toMatchObject([{ service: 'shop', rate: 0.5 }]);
  });
});

const clusterUp =
  (await redisReachable('cluster downtime test (query/downtime.int.test.ts)')) &&
  (await postgresReachable('cluster downtime test (query/downtime.int.test.ts)'));

describe.skipIf(!clusterUp)('time every instance of a cluster was not running', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('reads as no data on every instance; one instance restarting while another runs is no stop', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    let clock = START + 10 * MINUTE;
    const open = async () => {
      const { app } = await startTestApp({ db: database.url, redis: TEST_REDIS_URL, redisPrefix: prefix }, () => clock);
      let closed = false;
      const close = async () => {
        if (!closed) await app.close();
        closed = true;
      };
      cleanups.push(close);
      return { app, close };
    };
    const a = await open();
    const b = await open();
    expect((await ingest(a.app, requests('shop', START, START + 10 * MINUTE))).status).toBe(202);
    await a.close();
    await b.close();

    // Every instance down for 10 minutes; then both up again, one after the other.
    clock = START + 20 * MINUTE;
    const a2 = await open();
    const b2 = await open();
    expect((await ingest(a2.app, requests('shop', START + 20 * MINUTE, START + 25 * MINUTE))).status).toBe(202);
    // b2 restarts while a2 runs (and has noted so since the clock moved).
    clock = START + 25 * MINUTE;
    await waitUntil(async () => (await a2.app.core.store.getMeta('alive_at')) === String(clock), 15_000);
    await b2.close();
    const b3 = await open();
    expect((await ingest(b3.app, requests('shop', START + 25 * MINUTE, START + 30 * MINUTE))).status).toBe(202);
    clock = START + 30 * MINUTE;

    const range = `from=${START}&to=${START + 30 * MINUTE}&maxPoints=30`;
    for (const { app } of [a2, b3]) {
      const red = (await getJson<RedResponse>(app, `/api/v1/red?service=shop&${range}`)).body;
      const times = red.series[0]!.points.map((p) => (p.t - START) / MINUTE);
      // Before, minutes 10 - 19 read 0 requests (and failing health) on every instance.
      expect(times).toEqual([...Array(10).keys(), ...Array.from({ length: 10 }, (_, i) => 20 + i)]);
      expect(red.series[0]!.points.every((p) => p.count === 30)).toBe(true);
      const health = (await getJson<HealthResponse>(app, `/api/v1/health?${range}`)).body;
      expect(health.cells.filter((c) => c.down === true)).toHaveLength(10);
    }
  }, 60_000);
});
