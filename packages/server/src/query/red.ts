import { bucketCount, floorTo, type RedPoint, type RedResponse, type RedSeries } from '@pulseboard/shared';
import { ROUTE_TIER_FROM, TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { decodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { RedBucket } from '../store/store.ts';
import { activeAmong, bucketSeconds, heldRanges, type QueryContext } from './context.ts';
import { checkQueryCost, type QueryCost, routeCount, rowsOf } from './cost.ts';
import { planRange, spreadTargets } from './range-plan.ts';
import { type RedAcc, redQuantiles, StoredRedAcc } from './red-acc.ts';
import { round } from './round.ts';
import { type QuerySteps, runToEnd } from './scheduler.ts';
import { byReadEnd, dataUntil, planReads, readEndAt, type TierRead, tierForStep } from './steps.ts';

export interface RedGroup {
  service: string;
  route?: string | null;
  buckets: Map<number, StoredRedAcc>;
}

export interface RedReadOptions {
  services: readonly string[];
  byRoute: boolean;
  from: number;
  to: number;
  mainTier: TierIndex;
  /** Output bucket a stored bucket start belongs to. */
  bucketOf: (t: number) => number;
  /**
   * The output step, when there is one: a stored bucket longer than the step (read from a coarser tier
   * where a finer one holds nothing, as after the demo backfill) is spread evenly over the output buckets
   * it covers, so rates show its average instead of one spike and empty neighbours.
   */
  step?: number;
  now: number;
  /** The reads to make, when the caller has planned them (`planRange`); else planned here from `mainTier`. */
  reads?: readonly TierRead[];
  /**
   * Where a service's reads stop, when before `to` (`ReportIntervals.readsUpTo`): its data is complete only up
   * to there, and its newer data is from some of its senders only. Snapped down to the finest tier read.
   */
  upTo?: (service: string) => number;
}

/** Reads the RED rollups over [from, to) across tiers and merges them into output buckets per group. */
export function readRed(ctx: QueryContext, options: RedReadOptions): Promise<Map<string, RedGroup>> {
  return runToEnd(readRedSteps(ctx, options));
}

/** `readRed` in steps: it yields after each chunk of at most `CHUNK_BUCKETS` buckets of one service. */
export async function* readRedSteps(
  ctx: QueryContext,
  options: RedReadOptions,
): AsyncGenerator<undefined, Map<string, RedGroup>, void> {
  const groups = new Map<string, RedGroup>();
  for (const [end, services] of byReadEnd(options.services, (service) => readEnd(service, options))) {
    const reads =
      end === options.to ? redReads(ctx, options) : redReads(ctx, { ...options, to: end, reads: undefined });
    for (const read of reads) {
      const res = TIER_RESOLUTIONS[read.tier];
      const spread = options.step !== undefined && res > options.step ? options.step : null;
      for await (const rows of chunks(ctx, read, services, options.byRoute)) {
        foldRows(groups, rows, res, spread, options);
        yield;
      }
    }
  }
  return groups;
}

/** Where the service's reads end: `to`, or before it (`upTo`, see `readEndAt`). */
export function readEnd(service: string, options: RedReadOptions): number {
  const upTo = options.upTo?.(service) ?? Number.POSITIVE_INFINITY;
  return readEndAt(upTo, options.from, options.to, TIER_RESOLUTIONS[options.byRoute ? ROUTE_TIER_FROM : 0]);
}

/** The tier reads behind a RED read. Per-route rollups start at the 10 s tier: route reads never go finer. */
export function redReads(ctx: QueryContext, options: RedReadOptions): readonly TierRead[] {
  const finest = options.byRoute ? ROUTE_TIER_FROM : 0;
  const mainTier = Math.max(options.mainTier, finest) as TierIndex;
  return options.reads ?? planReads(options.from, options.to, mainTier, heldRanges(ctx, options.now), finest);
}

/** Stored buckets per store call: a chunk of one service takes a few ms even by route. */
const CHUNK_BUCKETS = 256;

async function* chunks(
  ctx: QueryContext,
  read: TierRead,
  services: readonly string[],
  byRoute: boolean,
): AsyncGenerator<RedBucket[]> {
  const span = CHUNK_BUCKETS * TIER_RESOLUTIONS[read.tier];
  for (const service of services) {
    for (let from = read.from; from < read.to; from += span) {
      const to = Math.min(read.to, from + span);
      yield await ctx.store.readRed({ tier: read.tier, from, to, services: [service], byRoute });
    }
  }
}

function foldRows(
  groups: Map<string, RedGroup>,
  rows: readonly RedBucket[],
  res: number,
  spread: number | null,
  options: RedReadOptions,
): void {
  // A chunk is one service's rows, route by route: the group changes rarely from one row to the next.
  let group: RedGroup | undefined;
  for (const row of rows) {
    if (!group || group.service !== row.service || (options.byRoute && group.route !== (row.route ?? null))) {
      group = groupOf(groups, row, options.byRoute);
    }
    if (spread === null) {
      const acc = accOf(group, options.bucketOf(row.t));
      acc.count += row.count;
      acc.errors += row.errors;
      acc.addEncoded(row.sketch);
      continue;
    }
    const targets = spreadTargets(row.t, res, spread, options);
    const sketch = targets.length > 1 ? decodeSketch(row.sketch) : null;
    for (const t of targets) {
      const acc = accOf(group, t);
      acc.count += row.count / targets.length;
      acc.errors += row.errors / targets.length;
      if (sketch) acc.sketch.merge(sketch);
      else acc.addEncoded(row.sketch);
    }
  }
}

function groupOf(groups: Map<string, RedGroup>, row: RedBucket, byRoute: boolean): RedGroup {
  const key = byRoute ? `${row.service}\u0000${row.route ?? ''}` : row.service;
  let group = groups.get(key);
  if (!group) {
    group = { service: row.service, ...(byRoute ? { route: row.route ?? null } : {}), buckets: new Map() };
    groups.set(key, group);
  }
  return group;
}

function accOf(group: RedGroup, t: number): StoredRedAcc {
  let acc = group.buckets.get(t);
  if (!acc) group.buckets.set(t, (acc = new StoredRedAcc()));
  return acc;
}

export interface RedQuery {
  services: string[] | null;
  from: number;
  to: number;
  maxPoints: number;
  byRoute: boolean;
  /** Adds the selected services merged as one more series. */
  total?: boolean;
}

export async function* queryRed(ctx: QueryContext, q: RedQuery): QuerySteps<RedResponse> {
  const now = ctx.now();
  const known = await ctx.services.list();
  const services = q.services ?? activeAmong(known, ctx, now);
  const firstSeen = new Map(known.map((s) => [s.name, floorTo(s.firstSeen, 1000)]));
  const plan = planRange({
    from: q.from,
    to: q.to,
    maxPoints: q.maxPoints,
    minStep: ctx.intervals.longest(services),
    finestTier: q.byRoute ? ROUTE_TIER_FROM : 0,
    held: heldRanges(ctx, now),
    now,
  });
  const { step, from, to } = plan;
  const options: RedReadOptions = {
    services,
    byRoute: q.byRoute,
    from,
    to,
    mainTier: tierForStep(step),
    bucketOf: (t) => floorTo(t, step),
    step,
    now,
    reads: plan.reads,
    upTo: (service) => ctx.intervals.readsUpTo(service, now),
  };
  const seriesCount = q.byRoute ? routeCount(ctx, services) : services.length;
  const cost: QueryCost = {
    label: q.byRoute ? 'groupBy=route' : 'red',
    from,
    to,
    series: seriesCount + (q.total ? 1 : 0),
    points: bucketCount(from, to, step),
    rows: rowsOf(redReads(ctx, options), seriesCount),
  };
  checkQueryCost(cost, ctx.limits);
  yield cost;
  const groups = yield* readRedSteps(ctx, options);
  // Without groupBy every asked-for service gets a series, even an empty one, so charts keep their legend.
  if (!q.byRoute)
    for (const service of services) if (!groups.has(service)) groups.set(service, { service, buckets: new Map() });
  const first = floorTo(from, step);
  // A series that reports every N seconds is complete only up to its newest report: its points stop
  // there, rather than read as 0 (or a fraction of its rate) until the next report arrives.
  const finest = { from, to, res: TIER_RESOLUTIONS[q.byRoute ? ROUTE_TIER_FROM : 0] };
  const untilOf = (service: string) => {
    const until = dataUntil(ctx.intervals, service, now, finest);
    return until < to ? { until: Math.max(from, until) } : {};
  };
  // A service that started within the range has requests only from its first second: the bucket holding
  // it divides by its seconds from there (`since`), not by time before the service existed.
  const sinceOf = (service: string) => {
    const since = firstSeen.get(service) ?? from;
    return since > from && since < to ? { since } : {};
  };
  const pointsOf = (
    buckets: ReadonlyMap<number, RedAcc>,
    { until = to, since = from }: { until?: number; since?: number },
  ): RedPoint[] => {
    const points: RedPoint[] = [];
    for (let t = first; t < until; t += step) {
      const acc = buckets.get(t);
      // Nothing could be sent while the server was down: no point (a gap on the chart), not a rate of 0.
      if (!(acc && acc.count > 0) && ctx.downtime.coversAll(t, t + step)) continue;
      points.push(redPoint(t, acc, bucketSeconds(t, step, since, until, now)));
    }
    return points;
  };
  const sorted = [...groups.values()].sort(
    (a, b) => a.service.localeCompare(b.service) || (a.route ?? '').localeCompare(b.route ?? ''),
  );
  const series: RedSeries[] = [];
  // The total's rate per bucket adds the series' rates, each over the seconds its own data covers: the merged
  // counts over the earliest `until` would count another service's later seconds in a shorter bucket.
  const rates = new Map<number, number>();
  for (const group of sorted) {
    const until = untilOf(group.service);
    const since = sinceOf(group.service);
    // A service never seen has no data, not a rate of 0: a chart drew a name typed wrong as a quiet service.
    const points = firstSeen.has(group.service) ? pointsOf(group.buckets, { ...until, ...since }) : [];
    for (const p of points) rates.set(p.t, (rates.get(p.t) ?? 0) + p.rate);
    series.push({
      service: group.service,
      ...(q.byRoute ? { route: group.route ?? null } : {}),
      interval: ctx.intervals.of(group.service),
      ...since,
      ...until,
      points,
    });
    yield;
  }
  if (q.total) {
    // Merged percentiles and error rates come only from buckets every service has sent in full: a bucket one
    // service has sent all of and another only part of would weigh the first more than its share of time.
    const sent = ctx.intervals.sentByAll(services, now);
    const until = sent < to ? { until: Math.max(from, sent) } : {};
    const end = sent < to ? Math.max(first, floorTo(sent, step)) : to;
    const interval = ctx.intervals.longest(services);
    const points = pointsOf(mergeGroups(sorted), { until: end }).map((p) =>
      p.count > 0 ? { ...p, rate: round(rates.get(p.t) ?? 0, 6) ?? 0 } : p,
    );
    series.push({ total: true, interval, ...until, points });
  }
  return { from, to, step, series };
}

/**
 * Every group's buckets added per output bucket: counts summed (so rates add up, and the error rate comes
 * from summed counts) and sketches merged, so percentiles are those of all requests together, not averages.
 */
export function mergeGroups(groups: readonly RedGroup[]): Map<number, RedAcc> {
  const merged = new Map<number, RedAcc>();
  for (const group of groups) {
    for (const [t, acc] of group.buckets) {
      let into = merged.get(t);
      if (!into) merged.set(t, (into = { count: 0, errors: 0, sketch: new Sketch() }));
      into.count += acc.count;
      into.errors += acc.errors;
      into.sketch.merge(acc.sketch);
    }
  }
  return merged;
}

/** A point's p50, p95 and p99, as read (points are built one at a time). */
const percentiles: (number | null)[] = [null, null, null];

export function redPoint(t: number, acc: RedAcc | undefined, seconds: number): RedPoint {
  if (!acc || acc.count === 0) return { t, rate: 0, errorRate: null, p50: null, p95: null, p99: null, count: 0 };
  redQuantiles(acc, percentiles);
  return {
    t,
    rate: seconds > 0 ? (round(acc.count / seconds, 6) ?? 0) : 0,
    errorRate: round(acc.errors / acc.count, 6),
    p50: round(percentiles[0]!),
    p95: round(percentiles[1]!),
    p99: round(percentiles[2]!),
    // Fractional where a coarser bucket was spread over finer steps.
    count: round(acc.count, 6) ?? 0,
  };
}
