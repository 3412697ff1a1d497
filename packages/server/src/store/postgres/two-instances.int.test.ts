import type { RedResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpCumulativeRequests } from '../../testing/otlp-export.ts';
import { getJson, ingest, startTestApp } from '../../testing/test-app.ts';
import { adoptStoredSeries } from '../series-refresh-plugin.ts';
import { createTestDatabase, postgresReachable } from './test-database.ts';

const HOUR = 3_600_000;
const reachable = await postgresReachable('the two-instance PostgreSQL test');

describe.runIf(reachable)('two instances on one PostgreSQL database', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  /** Two test apps on one fresh database, their clock 10 minutes into an hour (`start`). */
  async function twoApps() {
    const database = await createTestDatabase();
    cleanup.push(database.drop);
    const start = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    const now = () => start + 10 * 60_000;
    const [a, b] = await Promise.all([
      startTestApp({ db: database.url }, now),
      startTestApp({ db: database.url }, now),
    ]);
    cleanup.push(
      () => a.app.close(),
      () => b.app.close(),
    );
    return { a, b, start };
  }

  it('answer the same counts, error rate and percentiles for requests ingested through either', async () => {
    const { a, b, start } = await twoApps();
    const t = start + 60_000;
    const requests = (n: number, ms: number, status: number) => ({
      service: 'shop',
      name: 'http.server.request.duration',
      type: 'histogram',
      attributes: { 'http.route': '/pay', 'http.response.status_code': status },
      points: Array.from({ length: n }, (_, i) => [t + i, ms]),
    });
    // One series and second through both at once (fast requests), and slow errors through b only.
    const accepted = await Promise.all([
      ingest(a.app, [requests(90, 10, 200)]),
      ingest(b.app, [requests(30, 10, 200), requests(10, 1000, 500)]),
    ]);
    expect(accepted.map((r) => r.status)).toEqual([202, 202]);

    const red = async (app: FastifyInstance) =>
      (await getJson<RedResponse>(app, `/api/v1/red?service=shop&from=${t - 60_000}&to=${t + 60_000}&maxPoints=2`))
        .body;
    const [fromA, fromB] = [await red(a.app), await red(b.app)];
    expect(fromA).toEqual(fromB);
    const points = fromA.series[0]!.points.filter((p) => p.count > 0);
    expect(points.map((p) => p.count)).toEqual([130]);
    expect(points[0]!.errorRate).toBeCloseTo(10 / 130, 6);
    expect(points[0]!.p50).toBeCloseTo(10, -1);
    expect(points[0]!.p99).toBeCloseTo(1000, -2);

    // a learns the series only b stored (now, or its periodic refresh did already); both know every series
    // by the same id.
    await adoptStoredSeries(a.app.core, 0);
    const ids = (app: FastifyInstance) => new Map([...app.core.registry.all()].map((r) => [r.key, r.id]));
    expect(ids(a.app)).toEqual(ids(b.app));
    expect(ids(a.app).size).toBe(2);
  });

  it("count a cumulative series once when its exports alternate between them (each diffs the other's last point)", async () => {
    const { a, b, start } = await twoApps();
    // An SDK exporting a cumulative histogram every minute, 100 more requests each time, through a load
    // balancer that sends its exports to a and b in turn.
    for (let i = 1; i <= 6; i++) {
      const app = i % 2 === 1 ? a.app : b.app;
      const res = await app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: otlpCumulativeRequests('ledger', start, start + i * 60_000, 100 * i),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).not.toHaveProperty('partialSuccess.rejectedDataPoints');
    }
    const total = async (app: FastifyInstance) => {
      const url = `/api/v1/red?service=ledger&from=${start}&to=${start + 7 * 60_000}&maxPoints=1`;
      return (await getJson<RedResponse>(app, url)).body.series[0]!.points.reduce((n, p) => n + p.count, 0);
    };
    // Each instance alone would have counted its first point in full and diffed against its own last one:
    // 1,100 in all. The stored state they share counts each request once.
    expect(await total(a.app)).toBe(600);
    expect(await total(b.app)).toBe(600);
  });
});
