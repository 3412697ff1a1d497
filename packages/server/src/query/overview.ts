import { CPU_METRIC, floorTo, MEMORY_METRIC, type OverviewResponse, type ServiceStats } from '@pulseboard/shared';
import { TIER_RESOLUTIONS, type TierIndex } from '../model.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { SeriesRecord } from '../store/store.ts';
import { activeAmong, type QueryContext } from './context.ts';
import { checkQueryCost, type QueryCost, rowsOf } from './cost.ts';
import { healthScore } from './health.ts';
import { mergeGroups, type RedReadOptions, readRedSteps, redReads } from './red.ts';
import type { RedAcc } from './red-acc.ts';
import { round } from './round.ts';
import { readSamplesSteps, type SampleAcc, type SampleReadOptions, sampleReads } from './samples.ts';
import type { QuerySteps } from './scheduler.ts';
import { dataUntil } from './steps.ts';

interface WindowStats {
  red: RedAcc;
  cpu: number | null;
  memory: number | null;
}

/** Totals per service over [from, to) and over the window just before it, plus the merged total. */
export async function* queryOverview(
  ctx: QueryContext,
  q: { services: string[] | null; from: number; to: number },
): QuerySteps<OverviewResponse> {
  const now = ctx.now();
  const known = await ctx.services.list();
  const services = q.services ?? activeAmong(known, ctx, now);
  const firstSeen = new Map(known.map((s) => [s.name, s.firstSeen]));
  // Reads are exact to the second at the finest (the 1 s tier): a window begun inside a second read all of it,
  // and divided by the seconds from inside it read high (69/s for 60 over the first 10 s). It begins at the
  // start of that second, and the window before it too.
  const from = floorTo(q.from, 1000);
  const span = q.to - from;
  const previousFrom = floorTo(from - span, 1000);
  // The total's percentiles and error rate come from the part of a window every service has sent (see
  // `sentByAll`): where one service has sent its last seconds and another not yet, the merge would lean to the first.
  const sent = ctx.intervals.sentByAll(services, now);
  const commonEnd = (from: number, to: number) => (sent < to ? Math.max(from, floorTo(sent, 1000)) : to);
  const windowsOf = (from: number, to: number) => {
    const common = commonEnd(from, to);
    return {
      all: windowPlan(ctx, services, from, to, now),
      common: common < to ? windowPlan(ctx, services, from, common, now) : null,
    };
  };
  const windows = [windowsOf(from, q.to), windowsOf(previousFrom, from)];
  let rows = 0;
  for (const { all, common } of windows) {
    rows += rowsOf(redReads(ctx, all.red), services.length);
    rows += rowsOf(sampleReads(ctx, all.gauges), all.gauges.seriesIds.length);
    if (common) rows += rowsOf(redReads(ctx, common.red), services.length);
  }
  const cost: QueryCost = { label: 'overview', from, to: q.to, series: services.length, points: 2, rows };
  checkQueryCost(cost, ctx.limits);
  yield cost;
  const [current, previous] = windows as [WindowPlans, WindowPlans];
  const currentStats = yield* windowStats(services, current.all, ctx);
  const currentCommon = current.common && (yield* mergedRed(ctx, current.common));
  const previousStats = yield* windowStats(services, previous.all, ctx);
  const previousCommon = previous.common && (yield* mergedRed(ctx, previous.common));
  // A service's rate divides by the part of the window it can have requests in: from its first second (a
  // service that started 10 s before the window's end read as a sixth of its rate over a minute), and, when
  // it reports every N s, up to its newest report (`until`), as `red`'s last bucket does, not over time it
  // has not reported yet; nor over time the server was not running (a restart read as the last minute's rate
  // halved).
  const secondsOf = (service: string, from: number, to: number) => {
    const start = Math.min(to, Math.max(from, floorTo(firstSeen.get(service) ?? from, 1000)));
    const end = Math.max(start, dataUntil(ctx.intervals, service, now, { from, to, res: 1000 }));
    return (end - start - ctx.downtime.overlapMs(start, end)) / 1000;
  };
  const windowOf = (stats: Map<string, WindowStats>, common: RedAcc | null, from: number, to: number) => {
    const byService = new Map(services.map((s) => [s, statsOf(stats.get(s)!, secondsOf(s, from, to), ctx)]));
    // The total adds the services' rates (each over what it has sent) and counts; percentiles, error rate and
    // health come from the merged requests of the time all have sent.
    const rate = [...byService.values()].reduce((sum, s) => sum + s.rate, 0);
    const merged = mergeWindows([...stats.values()]);
    const total = statsOf(common ? { ...merged, red: common } : merged, (to - from) / 1000, ctx);
    return { byService, total: { ...total, rate: round(rate, 6) ?? 0, count: merged.red.count } };
  };
  const shown = windowOf(currentStats, currentCommon, from, q.to);
  const before = windowOf(previousStats, previousCommon, previousFrom, from);
  const until = sent < q.to ? floorTo(sent, 1000) : q.to;
  // None of them has sent anything yet (a service's page opened by a link before its first export, a name
  // mistyped, a new server): its data begins after the window, whose 0/s is no data, not a quiet minute.
  const first = Math.min(...services.map((s) => firstSeen.get(s) ?? Number.POSITIVE_INFINITY));
  const since = Number.isFinite(first) ? floorTo(first, 1000) : q.to;
  return {
    from,
    to: q.to,
    ...(until < q.to ? { until } : {}),
    ...(since > from ? { since } : {}),
    total: { ...shown.total, previous: before.total },
    services: services.map((service) => ({
      service,
      ...shown.byService.get(service)!,
      previous: before.byService.get(service)!,
    })),
  };
}

interface WindowPlans {
  all: WindowPlan;
  /** The window up to where every service has sent, when that is before its end. */
  common: WindowPlan | null;
}

interface WindowPlan {
  from: number;
  red: RedReadOptions;
  gauges: SampleReadOptions;
  /** The CPU and memory series read for `gauges`. */
  records: SeriesRecord[];
}

/** One window's reads: RED per service, and the CPU and memory gauges, each merged into one bucket. */
function windowPlan(ctx: QueryContext, services: readonly string[], from: number, to: number, now: number): WindowPlan {
  // The window is one bucket: its whole hours come from the hour tier and only its edges from finer tiers
  // (`planReads`), the same counts and sketches. Read at a 60-point step, a day was 1,440 minute rows a service.
  const mainTier = (TIER_RESOLUTIONS.length - 1) as TierIndex;
  const wanted = new Set(services);
  const records = [...ctx.registry.all()].filter(
    (r) => wanted.has(r.service) && r.kind === 'gauge' && (r.name === CPU_METRIC || r.name === MEMORY_METRIC),
  );
  return {
    from,
    red: {
      services,
      byRoute: false,
      from,
      to,
      mainTier,
      bucketOf: () => from,
      now,
      // A service sending in batches: only up to where all its senders have sent (as `secondsOf` divides).
      upTo: (service) => ctx.intervals.readsUpTo(service, now),
    },
    gauges: { seriesIds: records.map((r) => r.id), from, to, mainTier, bucketOf: () => from, now },
    records,
  };
}

async function* windowStats(
  services: readonly string[],
  plan: WindowPlan,
  ctx: QueryContext,
): AsyncGenerator<undefined, Map<string, WindowStats>, void> {
  const red = yield* readRedSteps(ctx, plan.red);
  const gauges = gaugeMeans(plan.records, yield* readSamplesSteps(ctx, plan.gauges), plan.from);
  const out = new Map<string, WindowStats>();
  for (const service of services) {
    out.set(service, {
      red: red.get(service)?.buckets.get(plan.from) ?? { count: 0, errors: 0, sketch: new Sketch() },
      cpu: gauges.cpu.get(service) ?? null,
      memory: gauges.memory.get(service) ?? null,
    });
  }
  return out;
}

/** All services' requests in the plan's window merged in one sketch. */
async function* mergedRed(ctx: QueryContext, plan: WindowPlan): AsyncGenerator<undefined, RedAcc, void> {
  const groups = yield* readRedSteps(ctx, plan.red);
  return mergeGroups([...groups.values()]).get(plan.from) ?? { count: 0, errors: 0, sketch: new Sketch() };
}

/** CPU: the mean over instances and time. Memory: the sum over instances of each one's mean. */
function gaugeMeans(records: readonly SeriesRecord[], buckets: Map<number, Map<number, SampleAcc>>, from: number) {
  const cpuAcc = new Map<string, { sum: number; count: number }>();
  const memory = new Map<string, number>();
  for (const record of records) {
    const acc = buckets.get(record.id)?.get(from);
    if (!acc || acc.count === 0) continue;
    if (record.name === CPU_METRIC) {
      const into = cpuAcc.get(record.service) ?? { sum: 0, count: 0 };
      into.sum += acc.sum;
      into.count += acc.count;
      cpuAcc.set(record.service, into);
    } else {
      memory.set(record.service, (memory.get(record.service) ?? 0) + acc.sum / acc.count);
    }
  }
  const cpu = new Map([...cpuAcc].map(([service, a]) => [service, a.sum / a.count]));
  return { cpu, memory };
}

function mergeWindows(windows: readonly WindowStats[]): WindowStats {
  const red: RedAcc = { count: 0, errors: 0, sketch: new Sketch() };
  let cpuSum = 0;
  let cpuCount = 0;
  let memory: number | null = null;
  for (const w of windows) {
    red.count += w.red.count;
    red.errors += w.red.errors;
    red.sketch.merge(w.red.sketch);
    if (w.cpu !== null) {
      cpuSum += w.cpu;
      cpuCount++;
    }
    if (w.memory !== null) memory = (memory ?? 0) + w.memory;
  }
  return { red, cpu: cpuCount > 0 ? cpuSum / cpuCount : null, memory };
}

function statsOf({ red, cpu, memory }: WindowStats, seconds: number, ctx: QueryContext): ServiceStats {
  const has = red.count > 0;
  const errorRate = has ? red.errors / red.count : null;
  const p99 = has ? red.sketch.quantile(0.99) : null;
  return {
    rate: seconds > 0 ? (round(red.count / seconds, 6) ?? 0) : 0,
    errorRate: round(errorRate, 6),
    p50: has ? round(red.sketch.quantile(0.5)) : null,
    p95: has ? round(red.sketch.quantile(0.95)) : null,
    p99: round(p99),
    count: red.count,
    cpu: round(cpu, 4),
    memory: memory === null ? null : Math.round(memory),
    health: has ? round(healthScore(errorRate!, p99!, ctx.config), 3) : null,
  };
}
