import {
  type ErrorBody,
  type HealthResponse,
  type MetricsResponse,
  type RedResponse,
  type SeriesResponse,
  serviceSeries,
} from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;

describe('query cost limits', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('refuses a RED read by route past the points limit with 400 naming it, and answers a smaller one', async () => {
    const { app } = await setup({ queryMaxCells: 50 });
    await ingest(
      app,
      ['/a', '/b', '/c'].map((route) => requests('shop', route)),
    );
    // 3 routes x 20 points = 60 > 50.
    const big = await getJson<ErrorBody>(app, '/api/v1/red?groupBy=route&from=now-20m&maxPoints=20');
    expect(big.status).toBe(400);
    expect(big.body.code).toBe('PULSE_ERR_QUERY_TOO_LARGE');
    expect(big.body.message).toMatch(/^maxPoints: groupBy=route over 20m at 20 points is 3 series x 20 points = 60/);
    expect(big.body.message).toContain('the limit is 50 (--query-max-cells)');
    // 3 routes x 10 points = 30: answered in full.
    const small = await getJson<RedResponse>(app, '/api/v1/red?groupBy=route&from=now-20m&maxPoints=10');
    expect(small.status).toBe(200);
    expect(serviceSeries(small.body).map((s) => s.route)).toEqual(['/a', '/b', '/c']);
    expect(small.body.series[0]!.points.reduce((n, p) => n + p.count, 0)).toBe(10);
    // Selecting a service is the advice: the same read of one route-less service fits.
    const perService = await getJson<RedResponse>(app, '/api/v1/red?from=now-20m&maxPoints=20');
    expect(perService.status).toBe(200);
  });

  it('refuses a read that would scan more stored buckets than the row limit', async () => {
    const { app } = await setup({ queryMaxRows: 100 });
    await ingest(app, [requests('shop', '/a'), requests('web', '/a')]);
    // Two services over 2 h: the hour buckets are not rebuilt yet, so it reads ~110 minute buckets each.
    const big = await getJson<ErrorBody>(app, '/api/v1/red?from=now-2h&maxPoints=1');
    expect(big.status).toBe(400);
    expect(big.body.code).toBe('PULSE_ERR_QUERY_TOO_LARGE');
    expect(big.body.message).toMatch(/^from: red over 2h at 1 points reads ~2\d\d stored buckets of 2 series/);
    expect(big.body.message).toContain('the limit is 100 (--query-max-rows)');
    const one = await getJson<RedResponse>(app, '/api/v1/red?service=shop&from=now-20m&maxPoints=1');
    expect(one.status).toBe(200);
    expect(one.body.series[0]!.points[0]!.count).toBe(10);
  });

  it('applies the limits to /series, /health and /overview too, and counts refusals in /metrics', async () => {
    const { app } = await setup({ queryMaxCells: 50, queryMaxRows: 500 });
    await ingest(app, [
      ...['/a', '/b', '/c'].map((route) => requests('shop', route)),
      ...Array.from({ length: 6 }, (_, i) => ({
        service: 'shop',
        name: 'queue.depth',
        type: 'gauge',
        value: i,
        timestamp: NOW - 5 * MIN,
        attributes: { queue: `q${i}` },
      })),
    ]);
    // 6 queue series x 10 points = 60 > 50; one queue's series fits.
    const series = await getJson<ErrorBody>(app, '/api/v1/series?metric=queue.depth&from=now-100m&maxPoints=10');
    expect(series.status).toBe(400);
    expect(series.body.message).toMatch(/^maxPoints: metric=queue.depth over 1h40m at 10 points is 6 series/);
    const one = await getJson<SeriesResponse>(
      app,
      '/api/v1/series?metric=queue.depth&attr.queue=q3&from=now-100m&maxPoints=10',
    );
    expect(one.status).toBe(200);
    expect(one.body.series[0]!.points.some((p) => p.value === 3)).toBe(true);
    // One service x 60 points > 50.
    expect((await getJson<ErrorBody>(app, '/api/v1/health?from=now-1h&maxPoints=60')).body.code).toBe(
      'PULSE_ERR_QUERY_TOO_LARGE',
    );
    expect((await getJson<HealthResponse>(app, '/api/v1/health?from=now-1h&maxPoints=30')).status).toBe(200);
    // Overview over 400 days reads both windows' hour buckets: far past 500 rows.
    const overview = await getJson<ErrorBody>(app, '/api/v1/overview?from=now-400d');
    expect(overview.status).toBe(400);
    expect(overview.body.message).toMatch(/^from: overview over 400d/);
    expect((await getJson(app, '/api/v1/overview?from=now-1h')).status).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('pulseboard_query_refused_total{reason="too_large"} 3');
  });

  it('reads a long range by route in chunks and counts every request once', async () => {
    const { app } = await setup({});
    // One request every 10 s for an hour on each of two routes: 360 stored 10 s buckets per route, read in
    // chunks of 256.
    const points = Array.from({ length: 360 }, (_, i) => [NOW - 3_600_000 + i * 10_000, 20]);
    await ingest(app, [
      { ...requests('shop', '/a'), points },
      { ...requests('shop', '/b'), points },
    ]);
    const res = await getJson<RedResponse>(
      app,
      `/api/v1/red?groupBy=route&from=${NOW - 3_600_000}&to=${NOW}&maxPoints=360`,
    );
    expect(res.body.step).toBe(10_000);
    for (const series of res.body.series) {
      expect(series.points.filter((p) => p.count === 1)).toHaveLength(360);
    }
  });

  it('lists at most 100 values per attribute of a metric and says the listing is truncated', async () => {
    const { app } = await setup({});
    await ingest(
      app,
      Array.from({ length: 150 }, (_, i) => ({
        service: 'shop',
        name: 'cache.size',
        type: 'gauge',
        value: i,
        timestamp: NOW - MIN,
        attributes: { key: `k${i}`, region: 'eu' },
      })),
    );
    const res = await getJson<MetricsResponse>(app, '/api/v1/metrics?service=shop');
    const metric = res.body.metrics.find((m) => m.name === 'cache.size')!;
    expect(metric.attributes.key).toHaveLength(100);
    expect(metric.attributes.region).toEqual(['eu']);
    expect(metric.truncated).toBe(true);
  });

  it("lists attributes named like an object's own properties (one named constructor made every listing a 500)", async () => {
    const { app } = await setup({});
    const attributes = { constructor: 'x', toString: 'z', hasOwnProperty: 'w' };
    const item = { service: 'victim', name: 'queue.depth', type: 'gauge', value: 3, timestamp: NOW - MIN, attributes };
    expect((await ingest(app, [item])).status).toBe(202);
    const res = await getJson<MetricsResponse>(app, '/api/v1/metrics?service=victim');
    expect(res.status).toBe(200);
    const listed = res.body.metrics.find((m) => m.name === 'queue.depth')!.attributes;
    expect(Object.entries(listed).sort()).toEqual([
      ['constructor', ['x']],
      ['hasOwnProperty', ['w']],
      ['toString', ['z']],
    ]);
  });

  async function setup(overrides: Partial<Config>): Promise<{ app: FastifyInstance }> {
    const handle = await startTestApp(overrides, () => NOW);
    close = () => handle.app.close();
    return handle;
  }
});

/** Ten requests of one route, one a minute over the ten minutes before NOW. */
function requests(service: string, route: string) {
  return {
    service,
    name: 'http.server.request.duration',
    type: 'histogram',
    unit: 'ms',
    attributes: { 'http.route': route, 'http.response.status_code': 200 },
    points: Array.from({ length: 10 }, (_, i) => [NOW - (10 - i) * MIN, 20]),
  };
}
