import type { LiveServiceStats } from '@pulseboard/shared';
import { fetchRed, type Services } from '../api/endpoints.ts';
import type { Buckets } from '../live/buckets.ts';
import { liveAcc, type RedAcc, redBuckets } from '../live/red-acc.ts';
import { settleBucket } from '../live/settle.ts';
import { type Later, type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

export interface RedOptions {
  range: { from: string; to: string };
  services: Services;
  /** 0 waits for the chart's width. */
  maxPoints: number;
}

function* entries(stats: Record<string, LiveServiceStats>, only: ReadonlySet<string> | null) {
  for (const [service, s] of Object.entries(stats)) {
    if (s.count > 0 && (!only || only.has(service))) yield [service, liveAcc(s)] as [string, RedAcc];
  }
}

const SETTLE_STEP_MS = 10_000;

/** Reads closed bucket t again (see `settleBucket`); at `now` (server time). */
function settle(buckets: Buckets<RedAcc>, t: number, now: number, services: Services, later: Later): void {
  buckets.unsettled.delete(t);
  const to = t + buckets.step;
  later(async (signal) => {
    const settled = settleBucket(
      await fetchRed({ from: t, to, services, maxPoints: 1, total: true }, signal),
      t,
      to,
      now,
    );
    if (settled === null) return false;
    if ('retryAt' in settled) {
      buckets.settleAt(t, settled.retryAt);
      return false;
    }
    return buckets.replace(t, settled.values, settled.total);
  });
}

/** RED buckets per service and merged (the server's total) for a chart, kept live from the socket. */
export function useRed({ range, services, maxPoints }: RedOptions): LiveQuery<Buckets<RedAcc>> {
  const only = services ? new Set(services) : null;
  return useLiveQuery({
    key: maxPoints > 0 ? JSON.stringify([range.from, range.to, services, maxPoints]) : null,
    range,
    // The window asked for: the server may snap the start out to a coarse bucket's edge, which the chart leaves out.
    load: async (signal, window) =>
      redBuckets(await fetchRed({ ...window, services, maxPoints, total: true }, signal), window.to - window.from),
    onTick: (buckets, tick, later) => {
      const open = buckets.ring.at(-1)?.t;
      // A frame's total merges the subscribed services, which are the ones a page's charts show.
      const total = tick.total && tick.total.count > 0 ? liveAcc(tick.total) : null;
      const result = buckets.addTick(tick.t, tick.seconds, entries(tick.services, only), total);
      const closed = buckets.ring.at(-1)?.t !== open ? open : undefined;
      // A bucket that just closed combined its live seconds' percentiles approximately, and a service that reports
      // every N s arrived in it as its previous interval repeated: read it from the server, which merges the
      // sketches, once every service has sent it (see `settleBucket`). One small read per chart per step, so only
      // for steps of 10 s and more (a 2-5 s bucket combines a few exact seconds; reading it again would be a
      // request per chart every 2 s).
      if (buckets.step < SETTLE_STEP_MS) return result;
      if (result === 'changed' && closed !== undefined) buckets.settleAt(closed, tick.t);
      for (const [t, at] of buckets.unsettled) if (at <= tick.t) settle(buckets, t, tick.t, services, later);
      return result;
    },
  });
}
