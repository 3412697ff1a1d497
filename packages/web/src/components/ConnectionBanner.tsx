import { useEffect, useState } from 'react';
import { useLiveFeed, useLiveStatus } from '../live/LiveProvider.tsx';

/** Shown while the live connection is down: when the next attempt is, and a way to try now. */
export function ConnectionBanner() {
  const feed = useLiveFeed();
  const status = useLiveStatus();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (status.state !== 'down') return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [status.state]);
  if (status.state !== 'down') return null;
  const seconds = Math.max(0, Math.ceil((status.retryAt - now) / 1000));
  return (
    <div className="banner" role="alert" data-testid="connection-banner">
      <span>
        Live connection lost. {seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting…'} (attempt {status.attempt}
        ). Charts fill in the gap when it is back.
      </span>
      <button type="button" onClick={() => feed.reconnectNow()}>
        Retry now
      </button>
    </div>
  );
}
