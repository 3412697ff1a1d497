import type { RedResponse } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { coveredSeconds, type RouteRow, routeRows, routesSeconds, sortRoutes } from './routes.ts';

const rows: RouteRow[] = [
  { route: '/b', count: 10, rate: 1, p99: 300, errorRate: 0.1 },
  { route: '/a', count: 30, rate: 3, p99: null, errorRate: null },
  { route: '/c', count: 20, rate: 2, p99: 100, errorRate: 0 },
];

describe('top routes sorting', () => {
  it('sorts by any column either way', () => {
    expect(sortRoutes(rows, 'count', true).map((r) => r.route)).toEqual(['/a', '/c', '/b']);
    expect(sortRoutes(rows, 'route', false).map((r) => r.route)).toEqual(['/a', '/b', '/c']);
  });

  it('puts rows without a value last in both directions', () => {
    expect(sortRoutes(rows, 'p99', true).map((r) => r.route)).toEqual(['/b', '/c', '/a']);
    expect(sortRoutes(rows, 'p99', false).map((r) => r.route)).toEqual(['/c', '/b', '/a']);
  });
});

describe('route rates', () => {
  // 15 minutes at 60 s steps; the service started 3 minutes before the end and has sent up to 30 s before it.
  const point = (t: number, count: number) => ({ t, rate: 0, errorRate: null, p50: null, p95: null, p99: null, count });
  const to = 900_000;
  const coverage: RedResponse = {
    from: 0,
    to,
    step: 60_000,
    series: [
      {
        service: 'shop',
        until: to - 30_000,
        points: Array.from({ length: 15 }, (_, i) => point(i * 60_000, i >= 12 ? 1680 : 0)).map((p) =>
          p.t === 840_000 ? { ...p, count: 840 } : p,
        ),
      },
    ],
  };
  const routes: RedResponse = {
    from: 0,
    to,
    step: 900_000,
    // The server's rate divides by the range up to `until` (870 s): 4.8/s for a route serving 28/s.
    series: [{ service: 'shop', route: '/pay', until: to - 30_000, points: [{ ...point(0, 4200), rate: 4200 / 870 }] }],
  };

  it("divide by the seconds the service's data covers, not the whole range", () => {
    expect(coveredSeconds(coverage)).toBe(150);
    expect(routeRows(routes, coveredSeconds(coverage))[0]).toMatchObject({ route: '/pay', count: 4200, rate: 28 });
  });

  it('divide by the seconds up to where the routes are read, when before where the service is (10 s rows)', () => {
    // A service sending in batches: its requests read up to 6 s before now, its 10 s route rows to the 10 s before.
    const coverage6: RedResponse = { ...coverage, series: [{ ...coverage.series[0]!, until: to - 36_000 }] };
    const routes10: RedResponse = { ...routes, series: [{ ...routes.series[0]!, until: to - 40_000 }] };
    expect(coveredSeconds(coverage6)).toBe(144);
    expect(routesSeconds({ routes: routes10, coverage: coverage6 })).toBe(140);
    expect(routesSeconds({ routes, coverage })).toBe(150);
  });

  it('count from where the service began, to the second, not from the start of that step', () => {
    // The same service, had it started 20 s into its first minute with data: 130 s of it, not 150.
    const started = { ...coverage, series: coverage.series.map((s) => ({ ...s, since: 740_000 })) };
    expect(coveredSeconds(started)).toBe(130);
  });
});
