import type { Alert } from '@pulseboard/shared';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { fetchAlerts } from '../api/alerts.ts';
import { applyLiveAlert, mergeAlerts } from '../components/alerts/alert-list.ts';
import { useLiveFeed } from '../live/LiveProvider.tsx';
import { type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

export interface AlertsQuery extends LiveQuery<Alert[]> {
  /** Applies an alert the page changed itself (an acknowledgement) at once. */
  update: (alert: Alert) => void;
}

/** Firing, pending and recently resolved alerts: loaded, reloaded every 30 s, and updated at once by live messages. */
export function useAlerts(): AlertsQuery {
  const feed = useLiveFeed();
  const query = useLiveQuery({ key: 'alerts', load: (signal) => fetchAlerts(signal), refreshMs: 30_000 });
  const [pushed, setPushed] = useState<Map<string, Alert | null>>(new Map());
  const update = useCallback((alert: Alert) => setPushed((prev) => applyLiveAlert(prev, alert)), []);
  useEffect(() => feed.onAlert(update), [feed, update]);
  // A reload supersedes what was pushed before it.
  useEffect(() => {
    if (query.data) setPushed(new Map());
  }, [query.data]);
  const data = useMemo(
    () => (query.data && pushed.size > 0 ? mergeAlerts(query.data, pushed) : query.data),
    [query.data, pushed],
  );
  return { ...query, data, update };
}
