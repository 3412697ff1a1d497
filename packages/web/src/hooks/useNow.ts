import { useEffect, useState } from 'react';
import { useLiveFeed } from '../live/LiveProvider.tsx';

/** The server's clock, re-read every `everyMs` (for "3m ago" labels). */
export function useNow(everyMs = 10_000): number {
  const feed = useLiveFeed();
  const [now, setNow] = useState(() => feed.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(feed.now()), everyMs);
    return () => clearInterval(timer);
  }, [feed, everyMs]);
  return now;
}
