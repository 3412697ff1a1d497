import type { SocketLike } from './feed.ts';

/** A browser WebSocket behind the small interface the feed uses. */
export function browserSocket(url: string): SocketLike {
  const ws = new WebSocket(url);
  const socket: SocketLike = {
    send: (data) => ws.send(data),
    close: () => ws.close(),
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  ws.onopen = () => socket.onopen?.();
  ws.onmessage = (event) => socket.onmessage?.(event);
  ws.onclose = () => socket.onclose?.();
  return socket;
}

/** ws://host/api/v1/live on this page's host (the dev server proxies it). */
export function liveUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/v1/live`;
}
