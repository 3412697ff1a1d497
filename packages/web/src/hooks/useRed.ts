import type { LiveServiceStats } from '@pulseboard/shared';
import { fetchRed, type Services } from '../api/endpoints.ts';
import type { Buckets } from '../live/buckets.ts';
import { liveAcc, type RedAcc, redBuckets } from '../live/red-acc.ts';
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

/** RED buckets per service and merged (the server's total) for a chart, kept live from the socket. */
export function useRed({ range, services, maxPoints }: RedOptions): LiveQuery<Buckets<RedAcc>> {
  const only = services ? new Set(services) : null;
  return useLiveQuery({
    key: maxPoints > 0 ? JSON.stringify([range.from, range.to, services, maxPoints]) : null,
    range,
    load: async (signal, window) => redBuckets(await fetchRed({ ...window, services, maxPoints, total: true }, signal)),
    // A frame's total merges the subscribed services, which are the ones a page's charts show.
    onTick: (buckets, tick) =>
      buckets.addTick(
        tick.t,
        tick.seconds,
        entries(tick.services, only),
        tick.total && tick.total.count > 0 ? liveAcc(tick.total) : null,
      ),
  });
}
