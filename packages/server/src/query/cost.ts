import { formatDuration } from '../alerts/format.ts';
import { AppError } from '../errors.ts';
import { TIER_RESOLUTIONS } from '../model.ts';
import type { QueryContext } from './context.ts';
import type { TierRead } from './steps.ts';

/** What a read may cost; both are checked before anything is read. */
export interface QueryLimits {
  /** Series x points one read may build: each is an accumulator (often a sketch) held until the answer. */
  maxCells: number;
  /** Stored buckets one read may scan, over every tier and series it touches. */
  maxRows: number;
}

/** A read's size, estimated from the series index and the read plan alone. */
export interface QueryCost {
  /** Names the read in an error, e.g. "groupBy=route". */
  label: string;
  from: number;
  to: number;
  series: number;
  points: number;
  rows: number;
}

/** Stored buckets `series` series read through these tier reads: an upper bound, as a series may lack data. */
export function rowsOf(reads: readonly TierRead[], series: number): number {
  let buckets = 0;
  for (const read of reads) buckets += Math.ceil((read.to - read.from) / TIER_RESOLUTIONS[read.tier]);
  return buckets * series;
}

/** Distinct routes the RED rollups of these services can hold: the series a `groupBy=route` read returns. */
export function routeCount(ctx: QueryContext, services: readonly string[]): number {
  const wanted = new Set(services);
  const routes = new Set<string>();
  for (const record of ctx.registry.all()) {
    if (record.red && wanted.has(record.service)) routes.add(`${record.service}\u0000${record.route ?? ''}`);
  }
  return routes.size;
}

/**
 * Refuses a read past a limit with 400 PULSE_ERR_QUERY_TOO_LARGE, naming the limit and what would bring the
 * read under it: one request must not be able to fill the heap (a day by route at 5000 points did).
 */
export function checkQueryCost(cost: QueryCost, limits: QueryLimits): void {
  const what = `${cost.label} over ${formatDuration(cost.to - cost.from)} at ${cost.points} points`;
  const advice = 'narrow the range, lower maxPoints or select fewer services';
  const cells = cost.series * cost.points;
  if (cells > limits.maxCells) {
    throw new AppError(
      'PULSE_ERR_QUERY_TOO_LARGE',
      `maxPoints: ${what} is ${cost.series} series x ${cost.points} points = ${cells} points; the limit is ${limits.maxCells} (--query-max-cells): ${advice}`,
    );
  }
  if (cost.rows > limits.maxRows) {
    throw new AppError(
      'PULSE_ERR_QUERY_TOO_LARGE',
      `from: ${what} reads ~${cost.rows} stored buckets of ${cost.series} series; the limit is ${limits.maxRows} (--query-max-rows): ${advice}`,
    );
  }
}
