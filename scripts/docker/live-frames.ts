/**
 * `tsx scripts/docker/live-frames.ts URL SERVICE`: the Docker test's browser on the live socket. Opens URL's
 * /api/v1/live as a page of URL would (its Origin), subscribes to SERVICE, prints `open` once the server said
 * hello, then one line per frame: `{"t": <the frame's second>, ...SERVICE's figures in it}` (only `t` when
 * the frame had none). Exits 1 if the socket fails or closes; 0 after a minute, or when killed.
 */
import type { LiveFrame } from '@pulseboard/shared';
import WebSocket from 'ws';

const [url, service] = process.argv.slice(2);
if (!url || !service) {
  console.error('usage: live-frames.ts URL SERVICE');
  process.exit(2);
}

const fail = (message: string) => {
  console.error(`live-frames: ${message}`);
  process.exit(1);
};
const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/live`, { headers: { origin: url } });
socket.on('error', (error) => fail(`socket error: ${error.message}`));
socket.on('close', (code) => fail(`socket closed with ${code}`));
socket.on('open', () => socket.send(JSON.stringify({ type: 'subscribe', services: [service] })));
socket.on('message', (data) => {
  const message = JSON.parse(data.toString()) as { type: string };
  if (message.type === 'hello') console.log('open');
  if (message.type !== 'frame') return;
  const frame = message as LiveFrame;
  console.log(JSON.stringify({ t: frame.t, ...frame.services[service] }));
});
setTimeout(() => process.exit(0), 60_000);
