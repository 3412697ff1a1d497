import { isTotalSeries, type RedResponse, serviceSeries } from '@pulseboard/shared';
import { type RedAcc, redAcc } from './red-acc.ts';

/** An export reaches the server this long after its interval ends (the server's live frames allow as much). */
const DELIVERY_MS = 2_000;
/** A read again that finds an export later than expected tries once more this much later. */
const RETRY_MS = 5_000;

/** A closed bucket read again: its figures, or when to read it again; null when the read is of no use. */
export type Settled = { values: Map<string, RedAcc>; total: RedAcc | null } | { retryAt: number } | null;

/**
 * The one bucket of a response that read exactly [from, to) in one step, as a bucket's contents, at `now`
 * (server time). Null when the server read it otherwise (snapped its edges, or split it), which would not
 * describe the same time. When a service that reports every N s has not sent all of the bucket yet (its series'
 * `until`), the time its next export should have arrived by: replacing the live seconds' figures with a part of
 * the bucket would read low, and keeping them would keep the figures the live seconds repeated from its
 * previous interval. A service two intervals past its last report has stopped: what it sent is all there is.
 */
export function settleBucket(res: RedResponse, from: number, to: number, now: number): Settled {
  if (res.from !== from || res.to !== to || res.step < to - from) return null;
  let retryAt = Number.NEGATIVE_INFINITY;
  for (const { until, interval = 1000 } of serviceSeries(res)) {
    if (until === undefined || now - until > 2 * interval) continue;
    retryAt = Math.max(retryAt, until + interval + DELIVERY_MS, now + RETRY_MS);
  }
  if (retryAt > Number.NEGATIVE_INFINITY) return { retryAt };
  const values = new Map<string, RedAcc>();
  let total: RedAcc | null = null;
  for (const series of res.series) {
    const p = series.points.find((point) => point.count > 0);
    if (!p) continue;
    if (isTotalSeries(series)) total = redAcc(p);
    else values.set(series.service, redAcc(p));
  }
  return { values, total };
}
