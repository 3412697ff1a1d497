import type { LiveServiceStats } from '@pulseboard/shared';
import { useEffect, useState } from 'react';
import { useLiveFeed } from '../live/LiveProvider.tsx';

/**
 * The newest live second per service, while `active` (an open alert is shown): it re-renders its user once a
 * second, so it listens only while there is something to update.
 */
export function useLatestSecond(active: boolean): Record<string, LiveServiceStats> | null {
  const feed = useLiveFeed();
  const [latest, setLatest] = useState<Record<string, LiveServiceStats> | null>(null);
  useEffect(() => {
    if (!active) return;
    // One-second frames only: a backfill's ticks span whole steps and are history, not "now".
    return feed.onTick((tick) => {
      if (tick.seconds === 1) setLatest(tick.services);
    });
  }, [feed, active]);
  return active ? latest : null;
}
