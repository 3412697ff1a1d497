/**
 * The fan-out bench's client side, a child process of bench/fanout/run.ts so its sockets and parsing do not
 * share the server's or the orchestrator's event loop. It opens live sockets the way the page does (Origin
 * of the server's own page, `subscribe ["*"]`) and, on the parent's request over IPC, hands over the
 * lateness of every frame its reading sockets received since the last request.
 *
 * Stalled sockets subscribe, then stop reading (`pause()`): what the server sends them piles up first in
 * this process's socket buffer (Node reads up to its high-water mark before pausing takes hold), then in
 * the kernel's, and only then in the server's own send queue, which is what the hub must bound.
 */
import WebSocket from 'ws';
import type { ClientReply, ClientRequest } from './protocol.ts';

const baseUrl = process.argv[2];
if (!baseUrl || !process.send) throw new Error('bench/fanout/clients.ts is started by bench/fanout/run.ts');
const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/api/v1/live`;
/** Opening a thousand sockets at once made the server's accept queue and this loop the measurement. */
const OPEN_BATCH = 50;
const FRAME_PREFIX = '{"type":"frame","t":';

const sockets: WebSocket[] = [];
let lateness: number[] = [];
let received = 0;
let bytes = 0;
/** Seconds (frame `t`) seen in the current window: frames expected = seconds x reading sockets. */
let seconds = new Set<number>();
/** Per second: its first and last arrival, to split lateness into building the frame and fanning it out. */
let arrivals = new Map<number, { first: number; last: number }>();
const closes = new Map<number, number>();
let stopping = false;
let lastCpu = process.cpuUsage();
let lastAt = performance.now();

/** The frame's second, read from its prefix: a full JSON.parse per frame x 1,000 sockets is this process's main cost. */
function frameSecond(text: string): number | null {
  if (!text.startsWith(FRAME_PREFIX)) return null;
  const t = Number.parseInt(text.slice(FRAME_PREFIX.length, FRAME_PREFIX.length + 16), 10);
  return Number.isFinite(t) ? t : null;
}

async function open(stalled: boolean): Promise<boolean> {
  const ws = new WebSocket(wsUrl, { headers: { origin: baseUrl as string } });
  ws.on('error', () => {}); // the close that follows is what gets counted
  ws.on('close', (code) => {
    if (!stopping) closes.set(code, (closes.get(code) ?? 0) + 1);
  });
  const hello = new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed with ${code} before hello`)));
  });
  try {
    await hello;
  } catch {
    return false;
  }
  ws.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
  if (stalled) ws.pause();
  else {
    ws.on('message', (data: Buffer) => {
      const arrived = Date.now();
      const text = data.toString('utf8');
      const t = frameSecond(text);
      if (t === null) return; // alerts and errors are not frames
      received++;
      bytes += data.length;
      seconds.add(t);
      lateness.push(arrived - (t + 1000));
      const seen = arrivals.get(t);
      if (seen) seen.last = arrived;
      else arrivals.set(t, { first: arrived, last: arrived });
    });
  }
  sockets.push(ws);
  return true;
}

const reading = (): number => sockets.filter((ws) => !ws.isPaused && ws.readyState === WebSocket.OPEN).length;

process.on('message', async (request: ClientRequest) => {
  const reply = (message: ClientReply): void => {
    process.send?.(message);
  };
  if (request.type === 'open') {
    let failed = 0;
    for (let i = 0; i < request.count; i += OPEN_BATCH) {
      const batch = Math.min(OPEN_BATCH, request.count - i);
      const ok = await Promise.all(Array.from({ length: batch }, () => open(request.stalled)));
      failed += ok.filter((x) => !x).length;
    }
    reply({ type: 'opened', failed });
  } else if (request.type === 'take') {
    const cpu = process.cpuUsage(lastCpu);
    const wallS = (performance.now() - lastAt) / 1000;
    reply({
      type: 'window',
      lateness,
      received,
      expected: seconds.size * reading(),
      arrivals: [...arrivals].map(([t, a]) => ({ t, ...a })),
      frameBytes: received > 0 ? bytes / received : 0,
      closes: Object.fromEntries(closes),
      cpuCores: (cpu.user + cpu.system) / 1e6 / wallS,
    });
    lateness = [];
    received = 0;
    bytes = 0;
    seconds = new Set();
    arrivals = new Map();
    lastCpu = process.cpuUsage();
    lastAt = performance.now();
  } else {
    stopping = true;
    for (const ws of sockets) ws.terminate();
    process.exit(0);
  }
});
