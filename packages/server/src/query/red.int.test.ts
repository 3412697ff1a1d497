import { type OverviewResponse, type RedResponse, serviceSeries } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest, logNormalValues, startTestApp } from '../testing/test-app.ts';

// Hour-aligned "now" with data in the minutes before it, all inside the 1 s tier's hour.
const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;

describe('RED reads', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('gives exact rate and error rate for known data: 5xx is an error, 404 is not', async () => {
    const { app } = await setup();
    // 120 requests over minute [NOW-10m, NOW-9m): 100 x 200, 8 x 404, 12 x 500.
    const from = NOW - 10 * MIN;
    await ingest(app, [
      requests('checkout', 200, spread(from, 100, MIN)),
      requests('checkout', 404, spread(from, 8, MIN)),
      requests('checkout', 500, spread(from, 12, MIN)),
    ]);
    const red = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=checkout&from=${from}&to=${from + MIN}&maxPoints=1`,
    );
    expect(red.body.step).toBe(MIN);
    expect(red.body.series[0]!.points).toEqual([
      expect.objectContaining({ t: from, count: 120, rate: 2, errorRate: 0.1 }),
    ]);
    const overview = await getJson<OverviewResponse>(
      app,
      `/api/v1/overview?service=checkout&from=${from}&to=${from + MIN}`,
    );
    expect(overview.body.services[0]).toMatchObject({ service: 'checkout', count: 120, rate: 2, errorRate: 0.1 });
  });

  it('reads percentiles within 1% of exact on 100,000 log-normal values through HTTP', async () => {
    const { app } = await setup();
    const values = logNormalValues(100_000, 11);
    const from = NOW - 30 * MIN;
    const points = values.map((v, i) => [from + Math.floor((i * 20 * MIN) / values.length), v]);
    expect((await ingest(app, [{ ...requests('api', 200, []), points }])).status).toBe(202);
    const red = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=api&from=${from}&to=${from + 20 * MIN}&maxPoints=1`,
    );
    const point = red.body.series[0]!.points[0]!;
    const sorted = [...values].sort((a, b) => a - b);
    for (const [q, key] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      expect(Math.abs(point[key]! - exact) / exact, key).toBeLessThanOrEqual(0.01);
    }
    expect(point.count).toBe(100_000);
  });

  it('gives the same counts and error rates from the 1 s and 1 min tiers', async () => {
    const { app } = await setup();
    const from = NOW - 20 * MIN;
    await ingest(app, [
      requests('web', 200, spread(from, 3000, 5 * MIN)),
      requests('web', 503, spread(from + 7, 90, 5 * MIN)),
    ]);
    const url = (maxPoints: number) =>
      `/api/v1/red?service=web&from=${from}&to=${from + 5 * MIN}&maxPoints=${maxPoints}`;
    const fine = await getJson<RedResponse>(app, url(300));
    const coarse = await getJson<RedResponse>(app, url(5));
    expect(fine.body.step).toBe(1000);
    expect(coarse.body.step).toBe(MIN);
    const total = (r: RedResponse) => r.series[0]!.points.reduce((n, p) => n + p.count, 0);
    const errors = (r: RedResponse) => r.series[0]!.points.reduce((n, p) => n + p.count * (p.errorRate ?? 0), 0);
    expect(total(fine.body)).toBe(3090);
    expect(total(coarse.body)).toBe(3090);
    expect(Math.round(errors(fine.body))).toBe(90);
    expect(Math.round(errors(coarse.body))).toBe(90);
  });

  it('counts only data inside [from, to) at unaligned edges, and groups by route', async () => {
    const { app } = await setup();
    const from = NOW - 15 * MIN;
    await ingest(app, [
      requests('shop', 200, spread(from, 600, 10 * MIN), '/a'),
      requests('shop', 200, spread(from, 60, 10 * MIN), '/b'),
    ]);
    // 2.5 minutes starting 30 s in: exactly a quarter of each route's evenly spread requests.
    const res = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=shop&from=${from + 30_000}&to=${from + 180_000}&maxPoints=2&groupBy=route`,
    );
    const counts = Object.fromEntries(
      serviceSeries(res.body).map((s) => [s.route, s.points.reduce((n, p) => n + p.count, 0)]),
    );
    expect(counts).toEqual({ '/a': 150, '/b': 15 });
  });

  it('says where a service that started within the range begins, and divides its first bucket from there', async () => {
    const { app } = await setup();
    // `fresh` first sends 45 s into minute [NOW-10m, NOW-9m): 150 requests over its last 15 s, then 600 the next.
    const from = NOW - 10 * MIN;
    await ingest(app, [
      requests('fresh', 200, [...spread(from + 45_000, 150, 15_000), ...spread(from + MIN, 600, MIN)]),
    ]);
    const red = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=fresh&from=${from - MIN}&to=${from + 2 * MIN}&maxPoints=3`,
    );
    const [series] = serviceSeries(red.body);
    expect(series?.since).toBe(from + 45_000);
    expect(series?.points.map((p) => [p.count, p.rate])).toEqual([
      [0, 0],
      [150, 10],
      [600, 10],
    ]);
    // A range starting after it: nothing to say.
    const later = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=fresh&from=${from + MIN}&to=${from + 2 * MIN}&maxPoints=1`,
    );
    expect(serviceSeries(later.body)[0]).not.toHaveProperty('since');
  });

  it('answers a service never seen with no points (no data), not a rate of 0', async () => {
    const { app } = await setup();
    const res = await getJson<RedResponse>(app, '/api/v1/red?service=nosuch&from=now-5m&maxPoints=5');
    expect(res.status).toBe(200);
    expect(serviceSeries(res.body).map((s) => [s.service, s.points])).toEqual([['nosuch', []]]);
  });

  it('rejects bad parameters naming them', async () => {
    const { app } = await setup();
    const cases: [string, string][] = [
      ['maxPoints=5001', 'maxPoints'],
      ['from=yesterday', 'from'],
      [`from=${NOW}&to=${NOW - 1}`, 'from'],
      // Before 1970: planning one bucket across epoch 0 looped for good, and the server answered nothing more.
      ['from=now-3000w&maxPoints=1', 'from'],
      ['from=now-999999999w&to=now-3000w', 'from'],
      // Past the last instant a Date holds: answered 200 as if it were a time.
      ['from=9000000000000000', 'from'],
      // Given twice: the same message on every route (overview said "must be string").
      ['from=now-1h&from=now-2h', 'from: give it once'],
    ];
    const times = cases.filter(([query]) => query.startsWith('from'));
    for (const route of ['red', 'health', 'overview', 'calls?service=a&', 'series?metric=m&service=a&']) {
      for (const [query, param] of route === 'red' ? cases : times) {
        const path = `/api/v1/${route}${route.endsWith('&') ? '' : '?'}${query}`;
        const res = await getJson<{ code: string; message: string }>(app, path);
        expect(res.status, path).toBe(400);
        expect(res.body.message.startsWith(param), `${path}: ${res.body.message}`).toBe(true);
      }
    }
    const services = ['/api/v1/calls', '/api/v1/calls?service=', '/api/v1/calls?service=a&service=b'];
    // An empty service filter used to read as every service: a link built from an empty name showed them all.
    services.push('/api/v1/red?service=', '/api/v1/red?service=,', '/api/v1/overview?service=');
    for (const path of services) {
      const res = await getJson<{ message: string }>(app, path);
      expect(res.status, path).toBe(400);
      expect(res.body.message, path).toMatch(/^service: /);
    }
  });

  async function setup(): Promise<{ app: FastifyInstance }> {
    const handle = await startTestApp({}, () => NOW);
    close = () => handle.app.close();
    return handle;
  }
});

function requests(service: string, status: number, points: number[][], route = '/pay') {
  return {
    service,
    name: 'http.server.request.duration',
    type: 'histogram',
    unit: 'ms',
    attributes: { 'http.route': route, 'http.response.status_code': status },
    points,
  };
}

/** n requests evenly spread over [from, from + span), each 20 ms long. */
function spread(from: number, n: number, span: number): number[][] {
  return Array.from({ length: n }, (_, i) => [from + Math.floor((i * span) / n), 20]);
}
