/**
 * `npx tsx bench/fanout/send-loop.ts [--clients 1000] [--rounds 100]`: the server's side of a frame's fan-out
 * alone, the synchronous loop that hands one ~930 B frame to every socket, timed in the sending process. The
 * fan-out bench (run.ts) measures lateness end to end, where the machine's load and the client process's
 * reading blur a few ms a frame; this separates the send loop's cost, per way of sending, in the same minutes:
 * rounds alternate between them. Clients live in a child process (clients.ts), as in run.ts.
 *
 *   string     `ws.send(text)` per socket: `ws` measures and UTF-8-encodes the text and writes header and
 *              payload as two chunks, every time (how the hub sent frames before)
 *   buffer     `ws.send(payload, { binary: false })` with the payload encoded once
 *   wire-text  one `write` of the whole frame framed once (`wireText`) to each upgraded TCP socket (the hub now)
 */
import { fork } from 'node:child_process';
import type { AddressInfo, Socket } from 'node:net';
import { loadavg } from 'node:os';
import { type WebSocket, WebSocketServer } from 'ws';
import { wireText } from '../../packages/server/src/live/wire-text.ts';
import { quantile, sleep } from '../soak/stats.ts';
import type { ClientRequest } from './protocol.ts';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}
const clientsN = option('clients', 1_000);
const rounds = option('rounds', 100);
/** Time for the client process to read a round's frames before the next, as frames come a second apart. */
const GAP_MS = 60;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/live' });
await new Promise<void>((resolve) => server.once('listening', resolve));
const sockets: { ws: WebSocket; tcp: Socket }[] = [];
server.on('connection', (ws, request) => {
  sockets.push({ ws, tcp: request.socket });
  ws.send(JSON.stringify({ type: 'hello', resolution: 1000, cursor: 0 }));
});
const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const child = fork(new URL('./clients.ts', import.meta.url).pathname, [baseUrl], {
  execArgv: ['--import', 'tsx'],
  stdio: 'inherit',
});
// The only reply to 'open' is 'opened'.
const opened = new Promise<void>((resolve) => child.once('message', () => resolve()));
child.send({ type: 'open', count: clientsN, stalled: false } satisfies ClientRequest);
await opened;

/** A frame as the demo's are: five services' figures and a total, ~930 bytes. */
function frameText(t: number): string {
  const stats = { rate: 812.4, errorRate: 0.0123, p50: 41.2, p95: 180.5, p99: 401.9, cpu: 0.42, memory: 512_000_000 };
  const names = ['checkout', 'search', 'inventory', 'payments', 'auth'];
  const services = Object.fromEntries(names.map((name) => [name, stats]));
  return JSON.stringify({ type: 'frame', t, cursor: t, services, total: stats });
}

const ways: Record<string, (text: string) => void> = {
  string: (text) => {
    for (const { ws } of sockets) ws.send(text);
  },
  buffer: (text) => {
    const payload = Buffer.from(text);
    for (const { ws } of sockets) ws.send(payload, { binary: false });
  },
  'wire-text': (text) => {
    const { frame } = wireText(text);
    for (const { tcp } of sockets) tcp.write(frame);
  },
};
const times = new Map(Object.keys(ways).map((way) => [way, [] as number[]]));
let t = 1_800_000_000_000;
for (let round = 0; round < rounds; round++) {
  for (const [way, send] of Object.entries(ways)) {
    const text = frameText((t += 1000));
    const start = performance.now();
    send(text);
    times.get(way)?.push(performance.now() - start);
    await sleep(GAP_MS);
  }
}
child.send({ type: 'stop' } satisfies ClientRequest);
server.close();
for (const ws of server.clients) ws.terminate();

console.log(
  `send loop, ${sockets.length} sockets, ${rounds} rounds each, alternating; load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const [way, list] of times) {
  list.sort((a, b) => a - b);
  const f = (q: number) => `${quantile(list, q).toFixed(1)} ms`;
  console.log(`  ${way.padEnd(10)} p50 ${f(0.5)}  p90 ${f(0.9)}  max ${f(1)}`);
}
process.exit(0);
