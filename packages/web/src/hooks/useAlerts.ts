import type { Alert } from '@pulseboard/shared';
import { useEffect, useState } from 'react';
import { fetchAlerts } from '../api/alerts.ts';
import { useLiveFeed } from '../live/LiveProvider.tsx';
import { type LiveQuery, useLiveQuery } from './useLiveQuery.ts';

const key = (alert: Alert) => String(alert.id);

/** Firing and recently resolved alerts: loaded, reloaded every 30 s, and updated at once by live `alert` messages. */
export function useAlerts(): LiveQuery<Alert[]> {
  const feed = useLiveFeed();
  const query = useLiveQuery({ key: 'alerts', load: (signal) => fetchAlerts(signal), refreshMs: 30_000 });
  const [pushed, setPushed] = useState<Map<string, Alert>>(new Map());
  useEffect(() => feed.onAlert((alert) => setPushed((prev) => new Map(prev).set(key(alert), alert))), [feed]);
  // A reload supersedes what was pushed before it.
  useEffect(() => {
    if (query.data) setPushed(new Map());
  }, [query.data]);
  if (!query.data || pushed.size === 0) return query;
  const merged = new Map(query.data.map((a) => [key(a), a]));
  for (const [id, alert] of pushed) merged.set(id, alert);
  return { ...query, data: [...merged.values()] };
}
