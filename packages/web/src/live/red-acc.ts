import {
  isTotalSeries,
  type LiveServiceStats,
  type RedPoint,
  type RedResponse,
  serviceSeries,
} from '@pulseboard/shared';
import { type BucketEntry, Buckets } from './buckets.ts';

/** Requests of one service in one bucket, in a form that adds up across seconds. */
export interface RedAcc {
  count: number;
  errors: number;
  /** Percentiles as count-weighted sums over `weight` requests (see `redValues`). */
  weight: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface RedValues {
  rate: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}

type RedStats = Pick<RedPoint | LiveServiceStats, 'count' | 'errorRate' | 'p50' | 'p95' | 'p99'>;

export function redAcc(s: RedStats): RedAcc {
  const weight = s.p50 === null || s.p95 === null || s.p99 === null ? 0 : s.count;
  return {
    count: s.count,
    errors: (s.errorRate ?? 0) * s.count,
    weight,
    p50: (s.p50 ?? 0) * weight,
    p95: (s.p95 ?? 0) * weight,
    p99: (s.p99 ?? 0) * weight,
  };
}

/**
 * A live second's figures as an accumulator for that one second. A service that reports every N s arrives as its
 * last complete interval repeated each second (`interval` > 1000): its count would add up N times, so the second
 * takes the interval's rate, spread evenly, instead of flashing 0 for N - 1 s and a burst in the Nth.
 */
export function liveAcc(s: LiveServiceStats): RedAcc {
  return redAcc(s.interval !== undefined && s.interval > 1000 ? { ...s, count: s.rate } : s);
}

export function addRed(into: RedAcc, more: RedAcc): void {
  into.count += more.count;
  into.errors += more.errors;
  into.weight += more.weight;
  into.p50 += more.p50;
  into.p95 += more.p95;
  into.p99 += more.p99;
}

/** Sums accumulators (several services, or "other"). */
export function sumRed(accs: Iterable<RedAcc>): RedAcc {
  const total = redAcc({ count: 0, errorRate: null, p50: null, p95: null, p99: null });
  for (const acc of accs) addRed(total, acc);
  return total;
}

/**
 * Rate and error rate are exact. Percentiles of a server-loaded bucket (one service, or the server's merge of
 * several) are exact. Live seconds folded into the open bucket combine as the count-weighted mean of theirs:
 * the page holds no sketches to merge, so until the bucket is reloaded its percentiles approximate (each
 * second's, one service's or the merged total's, is exact). Across services the page never merges them: the
 * all-services figures come from the server's `total`.
 */
export function redValues(acc: RedAcc | undefined, seconds: number): RedValues {
  if (!acc || acc.count === 0) return { rate: 0, errorRate: null, p50: null, p95: null, p99: null, count: 0 };
  const w = acc.weight;
  return {
    rate: seconds > 0 ? acc.count / seconds : 0,
    errorRate: acc.errors / acc.count,
    p50: w > 0 ? acc.p50 / w : null,
    p95: w > 0 ? acc.p95 / w : null,
    p99: w > 0 ? acc.p99 / w : null,
    count: acc.count,
  };
}

/**
 * Several services' figures in one bucket, each over the seconds its own data covers (`[acc, seconds]`, 0 for
 * none): rates add up; error rate and percentiles come from the summed requests (see `redValues`). A service
 * that reports every N s and has not sent the bucket's last seconds yet reads its rate over what it sent, and
 * the sum holds only what is known, instead of dividing one service's requests by another's seconds.
 */
export function redValuesOf(parts: Iterable<[RedAcc, number]>): RedValues {
  const accs: RedAcc[] = [];
  let rate = 0;
  for (const [acc, seconds] of parts) {
    if (seconds <= 0) continue;
    accs.push(acc);
    rate += acc.count / seconds;
  }
  const summed = redValues(sumRed(accs), 1);
  return summed.count > 0 ? { ...summed, rate } : summed;
}

/** A `red` response as chart buckets; `span`: the window asked for (the server may snap its start earlier). */
export function redBuckets(res: RedResponse, span?: number): Buckets<RedAcc> {
  function* entries(): Generator<BucketEntry<RedAcc>> {
    for (const series of res.series) {
      const service = isTotalSeries(series) ? null : series.service;
      for (const p of series.points) if (p.count > 0) yield { t: p.t, service, acc: redAcc(p) };
    }
  }
  return Buckets.build({
    step: res.step,
    from: res.from,
    to: res.to,
    span,
    entries: entries(),
    until: untils(res),
    since: serviceSeries(res).flatMap(({ service, since }) => (since === undefined ? [] : [[service, since] as const])),
    add: addRed,
  });
}

/**
 * Each service's `until` where its next report is still to come (the merged series' own is the earliest). A
 * service two intervals past its last report has stopped: the time since is not unknown but quiet (its rate
 * 0), so it does not hold back the all-services figures.
 */
function untils(res: RedResponse): [string, number][] {
  const out: [string, number][] = [];
  for (const { service, until, interval = 1000 } of serviceSeries(res)) {
    if (until !== undefined && res.to - until <= 2 * interval) out.push([service, until]);
  }
  return out;
}
