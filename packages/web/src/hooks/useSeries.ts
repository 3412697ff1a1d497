import { fetchSeries, type Services } from '../api/endpoints.ts';
import { type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

export interface SeriesOptions {
  range: { from: string; to: string };
  metric: string | null;
  stat: string | null;
  services: Services;
  /** 0 waits for the chart's width. */
  maxPoints: number;
}

type SeriesData = Awaited<ReturnType<typeof fetchSeries>>;

/** Any metric's stat over time, one series per service; reloaded every 10 s while live (frames carry RED only). */
export function useSeries({ range, metric, stat, services, maxPoints }: SeriesOptions): LiveQuery<SeriesData> {
  return useLiveQuery({
    key:
      maxPoints > 0 && metric && stat
        ? JSON.stringify([range.from, range.to, metric, stat, services, maxPoints])
        : null,
    range,
    load: (signal, window) =>
      fetchSeries({ ...window, metric: metric ?? '', stat: stat ?? '', services, maxPoints }, signal),
    refreshMs: 10_000,
  });
}
