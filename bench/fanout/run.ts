/**
 * `npm run bench -- --fanout [--clients 1000] [--duration 60s] [--stalled 20] [--stall-duration D]
 * [--client-processes 1] [--entry FILE]`: the live fan-out (issue 16 item 3). The real server, built and
 * started as `npm start` runs it with the demo on, and in separate processes (bench/fanout/clients.ts, spread
 * over `--client-processes` by client-pool.ts) `--clients` WebSocket clients subscribed to every service as
 * the page is. Phase 1 measures each frame's lateness (arrival minus the end of the second it describes; one
 * machine, one clock), the server's CPU and RSS; phase 2 adds `--stalled` clients that subscribe and never
 * read, and measures the same. Prints a table with goals (table.ts) and writes bench/out/fanout-DATE.json.
 *
 * A stalled client does not answer the hub's ping (every 15 s), so the server cuts it off within 30 s,
 * long before its ~1 KB of frame a second leaves its own and the kernel's buffers; the table shows how many
 * it closed and where the backlog sat. `--stall-duration` (default `--duration`) sets that phase's length.
 * `--entry` runs another build of the server (a before/after in the same minutes).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server-process.ts';
import { ms, parseDuration, parseMetrics, quantile, type Scrape, sleep, sumOf } from '../soak/stats.ts';
import { ClientPool } from './client-pool.ts';
import { GOALS, type Phase, printTable, type Queue } from './table.ts';

/** Sockets settle (JIT, first frames, buffers) before a window counts. */
const WARM_UP_MS = 5_000;
/** /readyz waits for the demo's 24 h backfill: tens of seconds on a busy machine. */
const READY_TIMEOUT_MS = 300_000;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined) throw new Error(`--${name} needs a value`);
  return value;
}
function count(name: string, fallback: number): number {
  const n = Number(option(name, String(fallback)));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes a whole number (got ${option(name, '')})`);
  return n;
}

const clientsN = count('clients', 1_000);
const stalledN = count('stalled', 20);
const processesN = Math.max(1, count('client-processes', 1));
const durationMs = parseDuration(option('duration', '60s'));
/** The stalled phase's own length, to watch what the stalled sockets become over a longer time. */
const stallMs = parseDuration(option('stall-duration', option('duration', '60s')));
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'pulseboard-fanout-'));
const loadAtStart = load();
const entry = option('entry', '');
// Every client connects from 127.0.0.1: the per-address limit is lifted to let them all in.
const server = await startServer(dir, READY_TIMEOUT_MS, {
  demo: true,
  ...(entry ? { entry } : {}),
  args: ['--live-max-clients-per-address', String(clientsN + stalledN + 10)],
});
console.log(
  `fan-out: server pid ${server.pid} at ${server.baseUrl} (demo on${entry ? `, ${entry}` : ''}), ready in ${ms(server.readyMs)}; ` +
    `${clientsN} clients (${processesN} process${processesN > 1 ? 'es' : ''}) for ${durationMs / 1000} s, then +${stalledN} stalled for ${stallMs / 1000} s; load average ${load()}`,
);

const clients = new ClientPool(server.baseUrl, processesN);

async function scrape(): Promise<Scrape> {
  const res = await fetch(`${server.baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return parseMetrics(await res.text());
}

/** `ss` lines for TCP sockets in `state` matching `filter`; none where iproute2's `ss` is missing. */
function ss(state: string, filter: string): string {
  try {
    return execFileSync('ss', ['-tnH', 'state', state, filter], { encoding: 'utf8' });
  } catch {
    return '';
  }
}

/**
 * Bytes the kernel holds on the live sockets (ss): unread by the clients (Recv-Q on their side) and unsent by
 * the server (Send-Q on its side). A stalled client's backlog sits there before the server's own queue grows.
 */
function kernelQueues(): { clientRecv: Queue; serverSend: Queue } {
  const read = (filter: string, column: number): Queue => {
    const out = ss('established', filter);
    const queue = { total: 0, max: 0 };
    for (const line of out.split('\n')) {
      const bytes = Number(line.trim().split(/\s+/)[column]);
      if (!Number.isFinite(bytes)) continue;
      queue.total += bytes;
      queue.max = Math.max(queue.max, bytes);
    }
    return queue;
  };
  return { clientRecv: read(`( dport = :${server.port} )`, 0), serverSend: read(`( sport = :${server.port} )`, 1) };
}

/**
 * Client sockets the server has closed that the client has not: a stalled (paused) socket cannot read the
 * close, so it stays in CLOSE-WAIT. The hub's heartbeat cuts off a socket that does not answer its ping.
 */
function closedByServer(): number {
  const out = ss('close-wait', `( dport = :${server.port} )`);
  return out.split('\n').filter((line) => line.trim() !== '').length;
}

async function measure(name: string, stalled: number, phaseMs: number): Promise<Phase> {
  await sleep(WARM_UP_MS);
  await clients.take();
  const before = await scrape();
  const cpu0 = server.cpuSeconds() ?? 0;
  const t0 = performance.now();
  const rss = { start: server.rss() ?? 0, peak: 0, end: 0 };
  rss.peak = rss.start;
  while (performance.now() - t0 < phaseMs) {
    await sleep(Math.min(500, phaseMs - (performance.now() - t0)));
    rss.peak = Math.max(rss.peak, server.rss() ?? 0);
  }
  const w = await clients.take();
  const wallS = (performance.now() - t0) / 1000;
  rss.end = server.rss() ?? 0;
  const after = await scrape();
  const delta = (metric: string): number => sumOf(after, metric) - sumOf(before, metric);
  return {
    name,
    clients: clientsN,
    stalled,
    frames: { received: w.received, expected: w.expected, meanBytes: Math.round(w.frameBytes) },
    latenessMs: {
      p50: quantile(w.lateness, 0.5),
      p99: quantile(w.lateness, 0.99),
      max: w.lateness.at(-1) ?? Number.NaN,
      samples: w.lateness.length,
    },
    firstArrivalMs: w.firstArrivalMs,
    spreadMs: w.spreadMs,
    slowest: w.slowest,
    serverCpuCores: ((server.cpuSeconds() ?? cpu0) - cpu0) / wallS,
    clientCpuCores: w.cpuCores,
    rss,
    loopLagMs: {
      p99: (after.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000,
      max: (after.get('nodejs_eventloop_lag_max_seconds') ?? Number.NaN) * 1000,
    },
    droppedFrames: delta('pulseboard_live_dropped_frames_total'),
    refused: delta('pulseboard_live_refused_total'),
    kernelQueues: kernelQueues(),
    closedByServer: closedByServer(),
    closes: w.closes,
    loadAverage: load(),
  };
}

const rssBeforeClients = server.rss() ?? 0;
const failed = await clients.open(clientsN, false);
if (failed > 0) console.log(`  WARNING: ${failed} of ${clientsN} sockets did not open`);
const phase1 = await measure(`${clientsN} clients`, 0, durationMs);
const failedStalled = await clients.open(stalledN, true);
if (failedStalled > 0) console.log(`  WARNING: ${failedStalled} of ${stalledN} stalled sockets did not open`);
const stalledAt = performance.now();
const phase2 = await measure(`+${stalledN} stalled`, stalledN, stallMs);
const stalledSeconds = (performance.now() - stalledAt) / 1000;
clients.stop();
const stopped = await server.stop();
rmSync(dir, { recursive: true, force: true });

// Growth the stalled clients cause: phase 2's peak against where phase 1 ended.
const stalledGrowth = phase2.rss.peak - phase1.rss.end;
printTable({
  phase1,
  phase2,
  durationMs,
  stallMs,
  stalledN,
  stalledSeconds,
  stalledGrowth,
  rssBeforeClients,
  loadAtStart,
});
console.log(`  server stopped: ${JSON.stringify(stopped)}`);

const date = new Date().toISOString();
const out = join(import.meta.dirname, '..', 'out');
mkdirSync(out, { recursive: true });
const file = join(out, `fanout-${date.replaceAll(':', '-')}.json`);
const results = {
  date,
  options: {
    clients: clientsN,
    clientProcesses: processesN,
    stalled: stalledN,
    durationMs,
    stallMs,
    warmUpMs: WARM_UP_MS,
  },
  loadAverageAtStart: loadAtStart,
  server: { readyMs: server.readyMs, rssBeforeClients },
  phases: [phase1, phase2],
  stalledRssGrowthBytes: stalledGrowth,
  stalledSeconds,
  goals: {
    latenessP99: phase1.latenessMs.p99 < GOALS.latenessP99Ms && phase2.latenessMs.p99 < GOALS.latenessP99Ms,
    stalledRssGrowth: stalledGrowth < GOALS.stalledRssGrowthBytes,
  },
};
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`  results: ${file}`);
