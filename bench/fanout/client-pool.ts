/**
 * The fan-out bench's clients spread over `processes` child processes (clients.ts), driven over IPC. One
 * process reads its sockets one after another, so with 1,000 sockets in one process a frame's last arrival
 * also holds that process's reading of the 999 before it; a real dashboard is one socket per browser. More
 * processes split that share off (on this 2-core machine they also compete with the server for the cores).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { quantile } from '../soak/stats.ts';
import type { ClientReply, ClientRequest } from './protocol.ts';

type Window = Extract<ClientReply, { type: 'window' }>;

/** A window merged over the processes: per second the first socket's lateness and the spread to the last. */
export interface MergedWindow {
  lateness: number[];
  received: number;
  expected: number;
  firstArrivalMs: { p50: number; p99: number };
  spreadMs: { p50: number; p99: number };
  /** The seconds whose last client got the frame latest: which work of the server's they met (see table.ts). */
  slowest: SlowSecond[];
  frameBytes: number;
  closes: Record<string, number>;
  cpuCores: number;
}

/** A second's frame: when it closed (ms since the epoch), and the first and last clients' lateness. */
export interface SlowSecond {
  t: number;
  first: number;
  last: number;
}

/** How many of the latest seconds a window names. */
const SLOWEST = 5;

class ClientProcess {
  private readonly child: ChildProcess;
  private readonly replies: ClientReply[] = [];
  private waiting: (() => void) | null = null;

  constructor(baseUrl: string) {
    this.child = fork(new URL('./clients.ts', import.meta.url).pathname, [baseUrl], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    this.child.on('message', (reply: ClientReply) => {
      this.replies.push(reply);
      this.waiting?.();
    });
  }

  async ask<T extends ClientReply['type']>(
    request: ClientRequest,
    type: T,
  ): Promise<Extract<ClientReply, { type: T }>> {
    this.child.send(request);
    for (;;) {
      const at = this.replies.findIndex((r) => r.type === type);
      if (at >= 0) return this.replies.splice(at, 1)[0] as Extract<ClientReply, { type: T }>;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  stop(): void {
    this.child.send({ type: 'stop' } satisfies ClientRequest);
  }
}

export class ClientPool {
  private readonly processes: ClientProcess[];

  constructor(baseUrl: string, processes: number) {
    this.processes = Array.from({ length: processes }, () => new ClientProcess(baseUrl));
  }

  /** Opens `count` sockets split evenly over the processes; how many failed to open. */
  async open(count: number, stalled: boolean): Promise<number> {
    const n = this.processes.length;
    const replies = await Promise.all(
      this.processes.map((p, i) =>
        p.ask({ type: 'open', count: Math.floor(count / n) + (i < count % n ? 1 : 0), stalled }, 'opened'),
      ),
    );
    return replies.reduce((sum, r) => sum + r.failed, 0);
  }

  /** Hands over every process's window since the last `take`, merged, and starts a new one. */
  async take(): Promise<MergedWindow> {
    const windows = await Promise.all(this.processes.map((p) => p.ask({ type: 'take' }, 'window')));
    return merge(windows);
  }

  stop(): void {
    for (const p of this.processes) p.stop();
  }
}

function merge(windows: Window[]): MergedWindow {
  const seconds = new Map<number, { first: number; last: number }>();
  for (const { t, first, last } of windows.flatMap((w) => w.arrivals)) {
    const seen = seconds.get(t);
    if (seen) {
      seen.first = Math.min(seen.first, first);
      seen.last = Math.max(seen.last, last);
    } else seconds.set(t, { first, last });
  }
  const sorted = (values: number[]) => values.sort((a, b) => a - b);
  const first = sorted([...seconds].map(([t, a]) => a.first - (t + 1000)));
  const spread = sorted([...seconds.values()].map((a) => a.last - a.first));
  const received = windows.reduce((sum, w) => sum + w.received, 0);
  const closes: Record<string, number> = {};
  for (const w of windows) for (const [code, n] of Object.entries(w.closes)) closes[code] = (closes[code] ?? 0) + n;
  return {
    lateness: sorted(windows.flatMap((w) => w.lateness)),
    received,
    expected: windows.reduce((sum, w) => sum + w.expected, 0),
    firstArrivalMs: { p50: quantile(first, 0.5), p99: quantile(first, 0.99) },
    spreadMs: { p50: quantile(spread, 0.5), p99: quantile(spread, 0.99) },
    slowest: [...seconds]
      .map(([t, a]) => ({ t: t + 1000, first: a.first - (t + 1000), last: a.last - (t + 1000) }))
      .sort((a, b) => b.last - a.last)
      .slice(0, SLOWEST),
    frameBytes: received > 0 ? windows.reduce((sum, w) => sum + w.frameBytes * w.received, 0) / received : 0,
    closes,
    cpuCores: windows.reduce((sum, w) => sum + w.cpuCores, 0),
  };
}
