import { isTotalSeries, type RedResponse, serviceSeries } from '@pulseboard/shared';
import { type RedAcc, redAcc } from './red-acc.ts';

/** An export reaches the server this long after its interval ends (the server's live frames allow as much). */
const DELIVERY_MS = 2_000;
/** A read again that finds an export later than expected tries once more this much later. */
const RETRY_MS = 5_000;

/**
 * When a service's next data should be in: one interval and the delivery after where it is complete (a service
 * sending in batches is complete up to an interval before now, so that is a second or two on); past that, late,
 * a few seconds on. Always a few seconds on, a bucket of a new trace-only service was read again 10 s after it
 * closed, and a page left open read its live seconds, repeated from its sparse first ones, until then.
 */
function nextDataAt(until: number, interval: number, now: number): number {
  const due = until + interval + DELIVERY_MS;
  return due > now ? due : now + RETRY_MS;
}

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
    retryAt = Math.max(retryAt, nextDataAt(until, interval, now));
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
