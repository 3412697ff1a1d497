/** The fan-out bench's printed table: both phases side by side, with the goals of issue 16. */
import { mb, ms } from '../soak/stats.ts';
import type { SlowSecond } from './client-pool.ts';

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
  slowest: SlowSecond[];
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

export function printTable(input: TableInput): void {
  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
  const row = (figure: string, a: string, b: string, goal = ''): void => {
    console.log(`${figure.padEnd(34)}${a.padStart(22)}${b.padStart(22)}  ${goal}`);
  };
  const late = (p: Phase): string => `${ms(p.latenessMs.p50)} / ${ms(p.latenessMs.p99)} / ${ms(p.latenessMs.max)}`;
  console.log(
    `\nLive fan-out  GET /api/v1/live, subscribe ["*"], demo traffic (${input.durationMs / 1000} s, then ${input.stallMs / 1000} s)`,
  );
  row('', input.phase1.name, input.phase2.name, 'goal');
  row('frame lateness p50 / p99 / max', late(input.phase1), late(input.phase2));
  row(
    '  p99 against the goal',
    verdict(input.phase1.latenessMs.p99 < GOALS.latenessP99Ms),
    verdict(input.phase2.latenessMs.p99 < GOALS.latenessP99Ms),
    `p99 < ${GOALS.latenessP99Ms} ms`,
  );
  row(
    'frames received / expected',
    `${input.phase1.frames.received}/${input.phase1.frames.expected}`,
    `${input.phase2.frames.received}/${input.phase2.frames.expected}`,
    `mean ${input.phase1.frames.meanBytes} B`,
  );
  row(
    '  first client p50 / p99',
    `${ms(input.phase1.firstArrivalMs.p50)} / ${ms(input.phase1.firstArrivalMs.p99)}`,
    `${ms(input.phase2.firstArrivalMs.p50)} / ${ms(input.phase2.firstArrivalMs.p99)}`,
    'per second: building the frame',
  );
  row(
    '  last - first client p50 / p99',
    `${ms(input.phase1.spreadMs.p50)} / ${ms(input.phase1.spreadMs.p99)}`,
    `${ms(input.phase2.spreadMs.p50)} / ${ms(input.phase2.spreadMs.p99)}`,
    'per second: sending it to all',
  );
  // Which second of the minute the latest frames closed at: a late frame at :00 met the minute's rebuild,
  // one every 15 s the heartbeat's pings; scattered ones are the machine's other work.
  const slowest = (phase: Phase) =>
    phase.slowest.map((s) => `:${String(new Date(s.t).getUTCSeconds()).padStart(2, '0')} ${s.last}`);
  row('  latest seconds (s of minute, ms)', slowest(input.phase1).join(' '), slowest(input.phase2).join(' '));
  row(
    'server event-loop lag p99 / max',
    `${ms(input.phase1.loopLagMs.p99)} / ${ms(input.phase1.loopLagMs.max)}`,
    `${ms(input.phase2.loopLagMs.p99)} / ${ms(input.phase2.loopLagMs.max)}`,
  );
  row('server CPU (cores)', input.phase1.serverCpuCores.toFixed(2), input.phase2.serverCpuCores.toFixed(2));
  row('client process CPU (cores)', input.phase1.clientCpuCores.toFixed(2), input.phase2.clientCpuCores.toFixed(2));
  row(
    'server RSS start / peak / end',
    rssLine(input.phase1),
    rssLine(input.phase2),
    `before clients ${mb(input.rssBeforeClients)}`,
  );
  row(
    'RSS growth from stalled clients',
    '',
    mb(input.stalledGrowth),
    `< ${mb(GOALS.stalledRssGrowthBytes)}  ${verdict(input.stalledGrowth < GOALS.stalledRssGrowthBytes)}`,
  );
  row(
    'frames skipped / sockets refused',
    `${input.phase1.droppedFrames} / ${input.phase1.refused}`,
    `${input.phase2.droppedFrames} / ${input.phase2.refused}`,
  );
  row(
    'unread in kernel, total / max',
    queueLine(input.phase1.kernelQueues.clientRecv),
    queueLine(input.phase2.kernelQueues.clientRecv),
    "clients' Recv-Q",
  );
  row(
    'stalled sockets the server closed',
    '',
    `${input.phase2.closedByServer} of ${input.stalledN}`,
    'unanswered ping (heartbeat)',
  );
  row(
    'sent to each stalled client (est.)',
    '',
    `<= ${((input.stalledSeconds * input.phase2.frames.meanBytes) / 1024).toFixed(0)}k`,
    'seconds stalled x mean frame',
  );
  row(
    'unsent in kernel, total / max',
    queueLine(input.phase1.kernelQueues.serverSend),
    queueLine(input.phase2.kernelQueues.serverSend),
    "server's Send-Q",
  );
  row('load average at the end', input.phase1.loadAverage, input.phase2.loadAverage, `at start ${input.loadAtStart}`);
  const closes = { ...input.phase1.closes, ...input.phase2.closes };
  if (Object.keys(closes).length > 0) console.log(`  unexpected closes by code: ${JSON.stringify(closes)}`);
}

function rssLine(p: Phase): string {
  return `${mb(p.rss.start)} / ${mb(p.rss.peak)} / ${mb(p.rss.end)}`;
}
function queueLine(q: Queue): string {
  return `${(q.total / 1024).toFixed(0)}k / ${(q.max / 1024).toFixed(0)}k`;
}
