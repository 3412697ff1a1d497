import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import type { RouteSort } from '../state/view.ts';

export interface RouteRow {
  route: string;
  count: number;
  rate: number;
  p99: number | null;
  errorRate: number | null;
}

/** One row per route from a one-bucket `red?groupBy=route` response. */
export function routeRows(res: RedResponse): RouteRow[] {
  return serviceSeries(res).map((s) => {
    const p = s.points[0];
    return {
      route: s.route ?? '(no route)',
      count: p?.count ?? 0,
      rate: p?.rate ?? 0,
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
