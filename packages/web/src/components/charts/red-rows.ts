import { type Buckets, knownSeconds, sentSeconds } from '../../live/buckets.ts';
import { type RedAcc, type RedValues, redValues, redValuesOf } from '../../live/red-acc.ts';

/** A chart row: time and one value per series; series are addressed by index (service names are free text). */
export interface Row {
  t: number;
  v: (number | null)[];
}

export interface SeriesRows {
  names: string[];
  /** Whether the last name is the merged rest ("other"). */
  other: boolean;
  rows: Row[];
}

export const OTHER = 'other';

/** The `limit` services with the most of `measure` over the data; the rest go to "other". */
export function topServices(buckets: Buckets<RedAcc>, limit: number, measure: (acc: RedAcc) => number) {
  const totals = new Map<string, number>();
  for (const bucket of buckets.ring) {
    for (const [service, acc] of bucket.values) totals.set(service, (totals.get(service) ?? 0) + measure(acc));
  }
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
  // "other" only when it stands for two or more services; one more service fits in its place.
  if (ranked.length <= limit + 1) return { top: ranked, rest: [] as string[] };
  return { top: ranked.slice(0, limit), rest: ranked.slice(limit) };
}

function perService(
  buckets: Buckets<RedAcc>,
  limit: number,
  measure: (acc: RedAcc) => number,
  value: (v: RedValues) => number | null,
): SeriesRows {
  const { top, rest } = topServices(buckets, limit, measure);
  const restSet = new Set(rest);
  const rows: Row[] = [];
  for (const bucket of buckets.ring) {
    // No service had data: a gap, not zeros (a 7-day range with one day of data draws nothing before it).
    // Beside others' data, a service without requests is a real 0.
    if (bucket.values.size === 0) {
      rows.push({ t: bucket.t, v: new Array(top.length + (rest.length > 0 ? 1 : 0)).fill(null) });
      continue;
    }
    // A service whose data does not cover any of the bucket yet (it reports every N s) is a gap, not a 0.
    const v = top.map((s) => {
      const seconds = knownSeconds(bucket, s);
      return seconds > 0 ? value(redValues(bucket.values.get(s), seconds)) : null;
    });
    if (rest.length > 0) {
      const others = [...bucket.values].filter(([s]) => restSet.has(s));
      v.push(value(redValuesOf(others.map(([s, acc]) => [acc, knownSeconds(bucket, s)]))));
    }
    rows.push({ t: bucket.t, v });
  }
  return { names: rest.length > 0 ? [...top, OTHER] : top, other: rest.length > 0, rows };
}

/** Requests per second stacked by service: the busiest services, then "other". */
export const throughputRows = (buckets: Buckets<RedAcc>, limit: number) =>
  perService(
    buckets,
    limit,
    (acc) => acc.count,
    (v) => v.rate,
  );

/** Share of failed requests per service and bucket: the services with the most errors, then "other". */
export const errorRateRows = (buckets: Buckets<RedAcc>, limit: number) =>
  perService(
    buckets,
    limit,
    (acc) => acc.errors,
    (v) => v.errorRate,
  );

/**
 * A bucket's figures; `seconds`: the time of it they cover; `span`: its time inside the range that has been
 * sent (time before a service existed counts, time a service reports later does not).
 */
export type TotalRow = RedValues & { t: number; seconds: number; span: number };

/**
 * All services per bucket, or one service. All: rates are the services' rates added, each over the seconds its
 * data covers; percentiles are the server's total (from merged sketches). `seconds`: the time the figures cover;
 * for all services, the time every service with data in the window has sent (a service that reports every N s
 * and has not sent a bucket's time yet would read its sum low), and no more than some service had data in (one
 * that started within the bucket): a bucket none of whose time is covered so reads as no data.
 */
export function totalRows(buckets: Buckets<RedAcc>, service: string | null): TotalRow[] {
  const rows: TotalRow[] = [];
  const reporting = service === null ? [...buckets.services()] : [];
  for (const bucket of buckets.ring) {
    if (service !== null) {
      const seconds = knownSeconds(bucket, service);
      const span = sentSeconds(bucket, service);
      rows.push({ t: bucket.t, seconds, span, ...redValues(bucket.values.get(service), seconds) });
      continue;
    }
    const span = Math.min(bucket.seconds, ...reporting.map((s) => sentSeconds(bucket, s)));
    const seconds = Math.min(span, Math.max(0, ...reporting.map((s) => knownSeconds(bucket, s))));
    if (seconds <= 0) {
      rows.push({ t: bucket.t, seconds: 0, span: Math.max(0, span), ...redValues(undefined, 0) });
      continue;
    }
    const sum = redValuesOf([...bucket.values].map(([s, acc]) => [acc, knownSeconds(bucket, s)]));
    const { p50, p95, p99 } = redValues(bucket.total ?? undefined, seconds);
    rows.push({ t: bucket.t, seconds, span, ...sum, p50, p95, p99 });
  }
  return rows;
}

/** Facts about a chart's data for the frame's `data-*` attributes. */
export function bucketFacts(buckets: Buckets<RedAcc> | null) {
  if (!buckets || buckets.ring.size === 0) return undefined;
  return {
    points: buckets.ring.size,
    step: buckets.step,
    'first-t': buckets.ring.at(0)?.t ?? 0,
    'last-t': buckets.ring.at(-1)?.t ?? 0,
  };
}

/** Whether any bucket has requests. */
export const hasRequests = (buckets: Buckets<RedAcc> | null) =>
  buckets !== null && [...buckets.ring].some((b) => [...b.values.values()].some((acc) => acc.count > 0));
