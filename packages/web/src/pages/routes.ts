import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import type { RouteSort } from '../state/view.ts';

export interface RouteRow {
  route: string;
  count: number;
  rate: number;
  p99: number | null;
  errorRate: number | null;
}

/**
 * The seconds of a `red` response's range that its service's data covers: buckets with requests, each from
 * where the service's data begins (`since`) up to where it ends (`until`), to within a step where it was
 * silent. A service that started (or was silent) during the range is not divided by the time it did not exist.
 */
export function coveredSeconds(res: RedResponse, upTo = Number.POSITIVE_INFINITY): number {
  let ms = 0;
  for (const series of serviceSeries(res)) {
    const start = Math.max(res.from, series.since ?? res.from);
    const end = Math.min(res.to, series.until ?? res.to, upTo);
    for (const p of series.points) {
      if (p.count > 0) ms += Math.max(0, Math.min(p.t + res.step, end) - Math.max(p.t, start));
    }
  }
  return ms / 1000;
}

/**
 * The seconds the routes' requests cover: the service's covered time (`coveredSeconds`) up to where its routes
 * are read (their `until`): a service sending in batches has its 10 s route rows read up to the 10 s before
 * its requests' end, and its calls too; over the longer time its routes read low.
 */
export function routesSeconds({ routes, coverage }: { routes: RedResponse; coverage: RedResponse }): number {
  const untils = serviceSeries(routes).map((s) => s.until ?? Number.POSITIVE_INFINITY);
  return coveredSeconds(coverage, Math.min(Number.POSITIVE_INFINITY, ...untils));
}

/**
 * One row per route from a one-bucket `red?groupBy=route` response; the rate is over `seconds`, the time the
 * service's data covers (see `coveredSeconds`).
 */
export function routeRows(res: RedResponse, seconds: number): RouteRow[] {
  return serviceSeries(res).map((s) => {
    const p = s.points[0];
    const count = p?.count ?? 0;
    return {
      route: s.route ?? '(no route)',
      count,
      rate: seconds > 0 ? count / seconds : 0,
      p99: p?.p99 ?? null,
      errorRate: p?.errorRate ?? null,
    };
  });
}

/** Sorted copy; rows without a value go last either way. */
export function sortRoutes(rows: RouteRow[], by: RouteSort, desc: boolean): RouteRow[] {
  const sign = desc ? -1 : 1;
  return [...rows].sort((a, b) => {
    if (by === 'route') return sign * a.route.localeCompare(b.route);
    const x = a[by];
    const y = b[by];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return sign * (x - y) || a.route.localeCompare(b.route);
  });
}
