/**
 * The well-behaved part of the soak: paced native ingest at a steady rate, and live clients that subscribe
 * to everything and read every frame. Their figures (ack latency, frames received against expected, frame
 * lateness) are what the attackers must not spoil.
 */
import WebSocket from 'ws';
import { Window } from './stats.ts';

export const SOAK_SERVICES = 4;
const ROUTES = 5;

export interface Ingest {
  acks: Window;
  sent: number;
  accepted: number;
  /** Requests answered with anything but 202 (503 with Retry-After included), or that failed. */
  failed: number;
  /** Ticks skipped because too many requests were still unanswered: the server fell behind the pace. */
  behind: number;
  stop(): Promise<void>;
}

/** One 1,000-observation body: every series of every service, 50 points each, stamped within this second. */
function body(now: number, perBody: number): string {
  const series = SOAK_SERVICES * ROUTES;
  const per = Math.ceil(perBody / series);
  const metrics = [];
  for (let s = 0; s < SOAK_SERVICES; s++) {
    for (let r = 0; r < ROUTES; r++) {
      const points: [number, number][] = [];
      // Log-uniform 1..1000 ms: a spread the percentiles must place, not one value the sketch finds trivially.
      for (let i = 0; i < per; i++) points.push([now - Math.floor(Math.random() * 50), 10 ** (Math.random() * 3)]);
      metrics.push({
        service: `soak-${s}`,
        name: 'http.server.request.duration',
        type: 'histogram',
        unit: 'ms',
        attributes: { 'http.route': `/r/${r}`, 'http.response.status_code': r === 0 && s === 0 ? 500 : 200 },
        points,
      });
    }
  }
  return JSON.stringify({ metrics });
}

/**
 * Sends `perSecond` observations a second in `perBody` requests, paced on a timer rather than back to back,
 * so a slow server shows up as ack latency and `behind` instead of as a lower rate the run silently adapts to.
 */
export function startIngest(baseUrl: string, perSecond: number, perBody: number): Ingest {
  const state: Ingest = { acks: new Window(), sent: 0, accepted: 0, failed: 0, behind: 0, stop: async () => {} };
  const everyMs = (1000 * perBody) / perSecond;
  const inflight = new Set<Promise<void>>();
  const send = async (): Promise<void> => {
    const started = performance.now();
    try {
      const res = await fetch(`${baseUrl}/api/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body(Date.now(), perBody),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status === 202) {
        state.acks.add(performance.now() - started);
        state.accepted += (JSON.parse(text) as { accepted: number }).accepted;
      } else state.failed++;
    } catch {
      state.failed++;
    }
  };
  const timer = setInterval(() => {
    // Eight unanswered requests is 400 ms of load at the default pace; more would only pile up in the client.
    if (inflight.size >= 8) {
      state.behind++;
      return;
    }
    state.sent++;
    const p = send().finally(() => inflight.delete(p));
    inflight.add(p);
  }, everyMs);
  state.stop = async () => {
    clearInterval(timer);
    await Promise.all(inflight);
  };
  return state;
}

export interface LiveClients {
  /** Frames received, and frames expected (one a second per open socket, counted from its hello). */
  frames(): { received: number; expected: number };
  /** Lateness of each frame: arrival minus the end of the second it describes. */
  lateness: Window;
  open(): number;
  /** Closes seen, by code (a healthy run has none until the end). */
  closes: Map<number, number>;
  stop(): void;
}

export async function startLiveClients(baseUrl: string, count: number): Promise<LiveClients> {
  const wsUrl = `${baseUrl.replace(/^http/, 'ws')}/api/v1/live`;
  const lateness = new Window();
  const closes = new Map<number, number>();
  const helloAt: (number | null)[] = [];
  let received = 0;
  let stopping = false;
  const sockets = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      helloAt[i] = null;
      const ws = new WebSocket(wsUrl);
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; t?: number };
        if (msg.type === 'hello') helloAt[i] = Date.now();
        else if (msg.type === 'frame' && msg.t !== undefined) {
          received++;
          lateness.add(Date.now() - (msg.t + 1000));
        }
      });
      ws.on('close', (code) => {
        helloAt[i] = null;
        if (!stopping) closes.set(code, (closes.get(code) ?? 0) + 1);
      });
      ws.on('error', () => {}); // the close that follows is what gets counted
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
      return ws;
    }),
  );
  const opened = new Map<number, number>();
  return {
    frames() {
      // Expected: one frame per second each socket has been open since its hello, plus the frame of the
      // second it subscribed in (the hub sends that one too when it closes).
      const now = Date.now();
      let expected = 0;
      helloAt.forEach((t, i) => {
        if (t !== null) opened.set(i, Math.floor((now - t) / 1000) + 1);
      });
      for (const n of opened.values()) expected += n;
      return { received, expected };
    },
    lateness,
    open: () => sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
    closes,
    stop() {
      stopping = true;
      for (const ws of sockets) ws.close(1000);
    },
  };
}
