import {
  bucketCount,
  floorTo,
  type MetricsResponse,
  type MetricType,
  SERIES_STATS,
  type SeriesResponse,
} from '@pulseboard/shared';
import { badRequest, notFound } from '../errors.ts';
import { seriesAttributes } from '../model.ts';
import type { SeriesRecord } from '../store/store.ts';
import { activeServices, bucketSeconds, type QueryContext } from './context.ts';
import { checkQueryCost, type QueryCost, rowsOf } from './cost.ts';
import { round } from './round.ts';
import {
  MIN_SAMPLE_STEP,
  mergeSample,
  readSamplesSteps,
  type SampleAcc,
  type SampleReadOptions,
  sampleReads,
} from './samples.ts';
import type { QuerySteps } from './scheduler.ts';
import { chooseStep, dataUntil, tierForStep } from './steps.ts';

export interface SeriesQuery {
  metric: string;
  services: string[] | null;
  stat: string | undefined;
  from: number;
  to: number;
  maxPoints: number;
  /** `attr.KEY=VALUE` filters; values compare as text. */
  attributes: Record<string, string>;
}

const DEFAULT_STAT: Record<MetricType, string> = { gauge: 'avg', counter: 'rate', histogram: 'p99' };
const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** One stat of any metric over time, one series per service, merging every series that matches the filters. */
export async function* querySeries(ctx: QueryContext, q: SeriesQuery): QuerySteps<SeriesResponse> {
  const now = ctx.now();
  const services = new Set(q.services ?? (await activeServices(ctx, now)));
  const records = [...ctx.registry.all()].filter(
    (r) => r.name === q.metric && services.has(r.service) && matches(r, q.attributes),
  );
  const kind = records[0]?.kind;
  if (!kind) throw notFound(`metric: no series of ${q.metric} match the service and attribute filters`);
  const stat = q.stat ?? DEFAULT_STAT[kind];
  if (!(SERIES_STATS[kind] as readonly string[]).includes(stat)) {
    throw badRequest(`stat: ${q.metric} is a ${kind}; its stats are ${SERIES_STATS[kind].join(', ')}`);
  }
  const step = Math.max(MIN_SAMPLE_STEP, chooseStep(q.from, q.to, q.maxPoints));
  const serviceOf = new Map(records.map((r) => [r.id, r.service]));
  const options: SampleReadOptions = {
    seriesIds: records.map((r) => r.id),
    from: q.from,
    to: q.to,
    mainTier: tierForStep(step),
    // A coarse fallback bucket may start before `from`: it belongs to the first output bucket.
    bucketOf: (t) => Math.max(floorTo(q.from, step), floorTo(t, step)),
    now,
    upTo: (id) => ctx.intervals.readsUpTo(serviceOf.get(id)!, now),
  };
  // Every matching series is read and held per bucket before services are merged: that is the cost.
  const cost: QueryCost = {
    label: `metric=${q.metric}`,
    from: q.from,
    to: q.to,
    series: records.length,
    points: bucketCount(q.from, q.to, step),
    rows: rowsOf(sampleReads(ctx, options), records.length),
  };
  checkQueryCost(cost, ctx.limits);
  yield cost;
  const buckets = yield* readSamplesSteps(ctx, options);
  const perService = new Map<string, Map<number, SampleAcc>>();
  for (const record of records) {
    const merged = perService.get(record.service) ?? new Map<number, SampleAcc>();
    perService.set(record.service, merged);
    for (const [t, acc] of buckets.get(record.id) ?? []) {
      const into = merged.get(t);
      if (into) mergeSample(into, acc);
      else merged.set(t, { ...acc });
    }
  }
  const series = [...perService]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, merged]) => {
      // Its metrics come from the exporter that sends its requests: complete up to its newest report (`red`'s
      // `until`), not read as 0 for the time since until the next export arrives.
      const until = Math.max(q.from, dataUntil(ctx.intervals, service, now, { ...q, res: MIN_SAMPLE_STEP }));
      const points = [];
      for (let t = floorTo(q.from, step); t < until; t += step) {
        const seconds = bucketSeconds(t, step, q.from, until, now);
        points.push({ t, value: statValue(stat, merged.get(t), seconds) });
      }
      return { service, metric: q.metric, stat, ...(until < q.to ? { until } : {}), points };
    });
  return { from: q.from, to: q.to, step, series };
}

function matches(record: SeriesRecord, filters: Record<string, string>): boolean {
  const entries = Object.entries(filters);
  if (entries.length === 0) return true;
  const attributes = seriesAttributes(record);
  for (const [key, value] of entries) {
    // Own keys only: a series without `constructor` or `__proto__` would read Object.prototype's.
    if (!Object.hasOwn(attributes, key) || String(attributes[key]) !== value) return false;
  }
  return true;
}

function statValue(stat: string, acc: SampleAcc | undefined, seconds: number): number | null {
  const rate = (n: number) => (seconds > 0 ? round(n / seconds, 6) : 0);
  if (!acc || acc.count === 0) return stat === 'rate' || stat === 'count' || stat === 'sum' ? 0 : null;
  if (stat in QUANTILES) return round(acc.sketch?.quantile(QUANTILES[stat]!) ?? null);
  const byStat: Record<string, () => number | null> = {
    avg: () => round(acc.sum / acc.count, 6),
    min: () => acc.min,
    max: () => acc.max,
    last: () => acc.last,
    sum: () => acc.sum,
    count: () => acc.count,
    // A counter's rate is its summed deltas per second; a histogram's is observations per second.
    rate: () => rate(acc.sketch ? acc.count : acc.sum),
  };
  return byStat[stat]!();
}

/**
 * Values listed per attribute, and characters of values in the whole listing: a service may hold 10,000
 * series with 64 attributes of 4 KB each, and listing all their values would be a response of gigabytes.
 */
export const LISTING_LIMITS = { valuesPerAttribute: 100, valueChars: 1_000_000 };

/** Discovery: every metric of a service with its type, unit and the values seen per attribute (bounded). */
export function listMetrics(ctx: QueryContext, service: string): MetricsResponse {
  type Listed = Omit<MetricsResponse['metrics'][number], 'attributes'>;
  type Value = MetricsResponse['metrics'][number]['attributes'][string][number];
  // Attribute names are the sender's: in a plain object, `constructor` or `__proto__` found Object's own.
  const byName = new Map<string, { metric: Listed; attributes: Map<string, Value[]> }>();
  let chars = 0;
  for (const record of ctx.registry.all()) {
    if (record.service !== service) continue;
    let listed = byName.get(record.name);
    if (!listed) {
      listed = { metric: { name: record.name, type: record.kind, unit: record.unit }, attributes: new Map() };
      byName.set(record.name, listed);
    }
    const { metric, attributes } = listed;
    for (const [key, value] of Object.entries(seriesAttributes(record))) {
      let values = attributes.get(key);
      if (!values) attributes.set(key, (values = []));
      if (values.includes(value)) continue;
      const size = String(value).length;
      if (values.length >= LISTING_LIMITS.valuesPerAttribute || chars + size > LISTING_LIMITS.valueChars) {
        metric.truncated = true;
        continue;
      }
      values.push(value);
      chars += size;
    }
  }
  const metrics = [...byName.values()].map(({ metric, attributes }) => ({
    ...metric,
    attributes: Object.fromEntries(attributes),
  }));
  return { metrics: metrics.sort((a, b) => a.name.localeCompare(b.name)) };
}
