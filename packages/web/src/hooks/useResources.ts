import { floorTo, MINUTE } from '@pulseboard/shared';
import {
  fetchCalls,
  fetchHealth,
  fetchMetrics,
  fetchOverview,
  fetchRed,
  fetchServices,
  type Services,
} from '../api/endpoints.ts';
import { lastMinuteInstead } from './last-minute.ts';
import { useLiveQuery } from './useLiveQuery.ts';

type Range = { from: string; to: string };

/** Stat-card numbers: the overview, reloaded every few seconds while live. */
export const useOverview = (range: Range, services: Services) =>
  useLiveQuery({
    key: JSON.stringify([range.from, range.to, services]),
    range,
    load: (signal, window) => fetchOverview(window, services, signal),
    refreshMs: 5_000,
  });

/**
 * The selected services' last complete minute (of the window, when paused): the stat cards' current value.
 * Reloaded every few seconds while live, so it moves on within seconds of a minute closing. The server reads
 * the total's percentiles and error rate over the part of that minute every service has sent (a service
 * exporting every 60 s may not have sent all of it yet). When one has sent none of it yet, the minute it
 * last sent into stands in: that service would read 0/s and the percentiles "–" until its export arrived. When
 * all began after it, the current minute so far does (`lastMinuteInstead`).
 */
export const useLastMinute = (range: Range, services: Services) =>
  useLiveQuery({
    key: JSON.stringify(['minute', range.from, range.to, services]),
    range,
    load: async (signal, window) => {
      const to = floorTo(window.to, MINUTE);
      const minute = await fetchOverview({ from: to - MINUTE, to }, services, signal);
      const instead = lastMinuteInstead(minute, window.to);
      return instead === null ? minute : fetchOverview(instead, services, signal);
    },
    refreshMs: 5_000,
  });

export const useHealth = (range: Range, maxPoints: number) =>
  useLiveQuery({
    key: maxPoints > 0 ? JSON.stringify([range.from, range.to, maxPoints]) : null,
    range,
    load: (signal, window) => fetchHealth({ ...window, maxPoints }, signal),
    refreshMs: 10_000,
  });

/** Every known service, for the filter; new services show up within half a minute. */
export const useServices = () =>
  useLiveQuery({
    key: 'services',
    load: (signal) => fetchServices(signal),
    refreshMs: 30_000,
  });

export const useMetricList = (service: string) =>
  useLiveQuery({
    key: service,
    load: (signal) => fetchMetrics(service, signal),
  });

/** Steps of the service's read that tell which part of the range its data covers. */
const COVERAGE_POINTS = 300;

/**
 * A service's routes over the whole range (one bucket per route: percentiles merged over the range), and the
 * service over the range in steps, which tell the part of it the service's data covers.
 */
export const useRoutes = (range: Range, service: string) =>
  useLiveQuery({
    key: JSON.stringify([range.from, range.to, service]),
    range,
    load: async (signal, window) => {
      const services = [service];
      const [routes, coverage] = await Promise.all([
        fetchRed({ ...window, services, maxPoints: 1, groupBy: 'route' }, signal),
        fetchRed({ ...window, services, maxPoints: COVERAGE_POINTS }, signal),
      ]);
      return { routes, coverage };
    },
    refreshMs: 10_000,
  });

/** The services a service calls and is called by, over the whole range (from spans). */
export const useCalls = (range: Range, service: string) =>
  useLiveQuery({
    key: JSON.stringify(['calls', range.from, range.to, service]),
    range,
    load: (signal, window) => fetchCalls(window, service, signal),
    refreshMs: 10_000,
  });
