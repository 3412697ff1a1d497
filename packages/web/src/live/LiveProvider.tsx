import { createContext, type ReactNode, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import { fetchRed } from '../api/endpoints.ts';
import { LiveFeed, type LiveStatus } from './feed.ts';
import { browserSocket, liveUrl } from './socket.ts';

const LiveContext = createContext<LiveFeed | null>(null);

/** Opens the page's one live connection for as long as the app is mounted. */
export function LiveProvider({ children, services }: { children: ReactNode; services: readonly string[] | null }) {
  const [feed] = useState(
    () =>
      new LiveFeed({
        url: liveUrl(),
        connect: browserSocket,
        backfill: (from, to, names) =>
          fetchRed({ from, to, services: names, maxPoints: Math.ceil((to - from) / 1000), total: true }),
      }),
  );
  useEffect(() => {
    feed.start();
    return () => feed.stop();
  }, [feed]);
  useEffect(() => feed.setServices(services), [feed, services]);
  return <LiveContext.Provider value={feed}>{children}</LiveContext.Provider>;
}

export function useLiveFeed(): LiveFeed {
  const feed = useContext(LiveContext);
  if (!feed) throw new Error('useLiveFeed outside <LiveProvider>');
  return feed;
}

export function useLiveStatus(): LiveStatus {
  const feed = useLiveFeed();
  return useSyncExternalStore(feed.onStatus, feed.getStatus);
}
