/** The fan-out bench's printed table: both phases side by side, with the goals of issue 16. */
import { mb, ms } from '../soak/stats.ts';

export const GOALS = { latenessP99Ms: 50, stalledRssGrowthBytes: 50e6 } as const;

export interface Queue {
  total: number;
  max: number;
}

export interface Phase {
  name: string;
  clients: number;
  stalled: number;
  frames: { received: number; expected: number; meanBytes: number };
  latenessMs: { p50: number; p99: number; max: number; samples: number };
  /** Per second: the first client's lateness, and the last client's arrival after the first's. */
  firstArrivalMs: { p50: number; p99: number };
  spreadMs: { p50: number; p99: number };
  serverCpuCores: number;
  clientCpuCores: number;
  rss: { start: number; peak: number; end: number };
  /** The server's event-loop lag over the phase (prom-client's histogram, reset by each scrape). */
  loopLagMs: { p99: number; max: number };
  droppedFrames: number;
  refused: number;
  kernelQueues: { clientRecv: Queue; serverSend: Queue };
  /** Sockets the server closed that this side did not read the close of: the stalled ones it cut off. */
  closedByServer: number;
  closes: Record<string, number>;
  loadAverage: string;
}

export interface TableInput {
  phase1: Phase;
  phase2: Phase;
  durationMs: number;
  stallMs: number;
  stalledN: number;
  stalledSeconds: number;
  /** Phase 2's peak RSS against where phase 1 ended. */
  stalledGrowth: number;
  rssBeforeClients: number;
  loadAtStart: string;
}

export function printTable({
  phase1,
  phase2,
  durationMs,
  stallMs,
  stalledN,
  stalledSeconds,
  stalledGrowth,
  rssBeforeClients,
  loadAtStart,
}: TableInput): void {
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  const row = (figure: string, a: string, b: string, goal = ''): void => {
    console.log(`${figure.padEnd(34)}${a.padStart(22)}${b.padStart(22)}  ${goal}`);
  };
  const late = (p: Phase): string => `${ms(p.latenessMs.p50)} / ${ms(p.latenessMs.p99)} / ${ms(p.latenessMs.max)}`;
  console.log(
    `\nLive fan-out  GET /api/v1/live, subscribe ["*"], demo traffic (${durationMs / 1000} s, then ${stallMs / 1000} s)`,
  );
  row('', phase1.name, phase2.name, 'goal');
  row('frame lateness p50 / p99 / max', late(phase1), late(phase2));
  row(
    '  p99 against the goal',
    verdict(phase1.latenessMs.p99 < GOALS.latenessP99Ms),
    verdict(phase2.latenessMs.p99 < GOALS.latenessP99Ms),
    `p99 < ${GOALS.latenessP99Ms} ms`,
  );
  row(
    'frames received / expected',
    `${phase1.frames.received}/${phase1.frames.expected}`,
    `${phase2.frames.received}/${phase2.frames.expected}`,
    `mean ${phase1.frames.meanBytes} B`,
  );
  row(
    '  first client p50 / p99',
    `${ms(phase1.firstArrivalMs.p50)} / ${ms(phase1.firstArrivalMs.p99)}`,
    `${ms(phase2.firstArrivalMs.p50)} / ${ms(phase2.firstArrivalMs.p99)}`,
    'per second: building the frame',
  );
  row(
    '  last - first client p50 / p99',
    `${ms(phase1.spreadMs.p50)} / ${ms(phase1.spreadMs.p99)}`,
    `${ms(phase2.spreadMs.p50)} / ${ms(phase2.spreadMs.p99)}`,
    'per second: sending it to all',
  );
  row(
    'server event-loop lag p99 / max',
    `${ms(phase1.loopLagMs.p99)} / ${ms(phase1.loopLagMs.max)}`,
    `${ms(phase2.loopLagMs.p99)} / ${ms(phase2.loopLagMs.max)}`,
  );
  row('server CPU (cores)', phase1.serverCpuCores.toFixed(2), phase2.serverCpuCores.toFixed(2));
  row('client process CPU (cores)', phase1.clientCpuCores.toFixed(2), phase2.clientCpuCores.toFixed(2));
  row('server RSS start / peak / end', rssLine(phase1), rssLine(phase2), `before clients ${mb(rssBeforeClients)}`);
  row(
    'RSS growth from stalled clients',
    '',
    mb(stalledGrowth),
    `< ${mb(GOALS.stalledRssGrowthBytes)}  ${verdict(stalledGrowth < GOALS.stalledRssGrowthBytes)}`,
  );
  row(
    'frames skipped / sockets refused',
    `${phase1.droppedFrames} / ${phase1.refused}`,
    `${phase2.droppedFrames} / ${phase2.refused}`,
  );
  row(
    'unread in kernel, total / max',
    queueLine(phase1.kernelQueues.clientRecv),
    queueLine(phase2.kernelQueues.clientRecv),
    "clients' Recv-Q",
  );
  row(
    'stalled sockets the server closed',
    '',
    `${phase2.closedByServer} of ${stalledN}`,
    'unanswered ping (heartbeat)',
  );
  row(
    'sent to each stalled client (est.)',
    '',
    `<= ${((stalledSeconds * phase2.frames.meanBytes) / 1024).toFixed(0)}k`,
    'seconds stalled x mean frame',
  );
  row(
    'unsent in kernel, total / max',
    queueLine(phase1.kernelQueues.serverSend),
    queueLine(phase2.kernelQueues.serverSend),
    "server's Send-Q",
  );
  row('load average at the end', phase1.loadAverage, phase2.loadAverage, `at start ${loadAtStart}`);
  const closes = { ...phase1.closes, ...phase2.closes };
  if (Object.keys(closes).length > 0) console.log(`  unexpected closes by code: ${JSON.stringify(closes)}`);
}

function rssLine(p: Phase): string {
  return `${mb(p.rss.start)} / ${mb(p.rss.peak)} / ${mb(p.rss.end)}`;
}
function queueLine(q: Queue): string {
  return `${(q.total / 1024).toFixed(0)}k / ${(q.max / 1024).toFixed(0)}k`;
}
