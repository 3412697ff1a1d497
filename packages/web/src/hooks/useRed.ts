import type { LiveServiceStats } from '@pulseboard/shared';
import { fetchRed, type Services } from '../api/endpoints.ts';
import type { Buckets } from '../live/buckets.ts';
import { liveAcc, oneBucket, type RedAcc, redBuckets } from '../live/red-acc.ts';
import { type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

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
      // A bucket that just closed combined its live seconds' percentiles approximately: load it from the server,
      // which merges the sketches. One small read per chart per step, so only for steps of 10 s and more (a
      // 2-5 s bucket combines a few exact seconds; reading it again would be a request per chart every 2 s).
      if (result === 'changed' && closed !== undefined && buckets.step >= SETTLE_STEP_MS) {
        const to = closed + buckets.step;
        later(async (signal) => {
          const res = await fetchRed({ from: closed, to, services, maxPoints: 1, total: true }, signal);
          const exact = oneBucket(res, closed, to);
          return exact !== null && buckets.replace(closed, exact.values, exact.total);
        });
      }
      return result;
    },
  });
}
