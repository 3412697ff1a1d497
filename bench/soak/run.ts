/**
 * `npm run bench -- --soak 10m`: the real server (built, started as `npm start` runs it) on a fresh database,
 * under steady native ingest, 200 live clients and a few rate-bounded attackers at once for the duration.
 * Every 10 s one line: server RSS, event-loop lag p99, /healthz and ingest-ack p99, live frames received
 * against expected, DB size and refusals from /metrics; then a summary. Exits non-zero if the server died or
 * its RSS passed 400 MB.
 *
 * The demo generator is off: the server's load is then exactly what this process sends, so frames expected,
 * ingest rate and DB growth are known, and a 2-minute run is not spent on the demo's 24 h backfill (minutes
 * on a busy machine). The heavy-read attacker therefore scans the soak's own data, not a full day.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbSize, startServer } from '../server-process.ts';
import { startAttacks } from './attackers.ts';
import { startIngest, startLiveClients } from './load.ts';
import {
  byLabel,
  mb,
  ms,
  parseDuration,
  parseMetrics,
  quantile,
  type Scrape,
  sleep,
  statusOf,
  sumOf,
  Window,
} from './stats.ts';

const RSS_LIMIT = 400e6;
const LINE_EVERY_MS = 10_000;
const INGEST_PER_SECOND = 20_000;
const PER_BODY = 1_000;
const CLIENTS = 200;

const durationMs = parseDuration(process.argv[2] ?? '10m');
const dir = mkdtempSync(join(tmpdir(), 'pulseboard-soak-'));
// The live clients and the attackers all connect from 127.0.0.1: the per-address limit is lifted for them.
const server = await startServer(dir, undefined, { args: ['--live-max-clients-per-address', String(CLIENTS * 2)] });
const base = server.baseUrl;
console.log(
  `soak ${process.argv[2] ?? '10m'}: server pid ${server.pid} at ${base}, ready in ${ms(server.readyMs)}; ` +
    `${INGEST_PER_SECOND} obs/s in ${PER_BODY}-observation requests, ${CLIENTS} live clients, attackers on; ` +
    `load average ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);

async function scrape(): Promise<Scrape | null> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return parseMetrics(await res.text());
  } catch {
    return null;
  }
}

const clients = await startLiveClients(base, CLIENTS);
const ingest = startIngest(base, INGEST_PER_SECOND, PER_BODY);
const attacks = startAttacks(base);

// /healthz once a second; a failure counts as a 10 s answer so it shows in the p99 rather than vanishing.
const healthz = new Window();
let healthzFailures = 0;
let probing = true;
const prober = (async () => {
  while (probing) {
    const started = performance.now();
    const ok = (await statusOf(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) })) === 200;
    healthz.add(ok ? performance.now() - started : 10_000);
    if (!ok) healthzFailures++;
    await sleep(1_000);
  }
})();

const t0 = performance.now();
const rssSamples: { at: number; rss: number }[] = [];
const lagP99s: number[] = [];
let maxLag = 0;
let lastFrames = clients.frames();
let lastAccepted = 0;
let alive = true;
// CPU of both sides: on a 2-core machine this process (200 sockets, ingest, attackers) competes with the server.
let lastServerCpu = server.cpuSeconds() ?? 0;
let lastClientCpu = process.cpuUsage();

while (performance.now() - t0 < durationMs && alive) {
  await sleep(Math.min(LINE_EVERY_MS, durationMs - (performance.now() - t0)));
  const at = (performance.now() - t0) / 1000;
  const rss = server.rss();
  if (rss === null) {
    alive = false;
    console.log(`${at.toFixed(0).padStart(4)}s server GONE:\n${server.output()}`);
    break;
  }
  rssSamples.push({ at, rss });
  const m = await scrape();
  // prom-client resets its event-loop histogram on every scrape, so this p99 is that of the last 10 s.
  const lag = m ? (m.get('nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) * 1000 : Number.NaN;
  const lagMax = m ? (m.get('nodejs_eventloop_lag_max_seconds') ?? 0) * 1000 : 0;
  if (!Number.isNaN(lag)) lagP99s.push(lag);
  maxLag = Math.max(maxLag, lagMax);
  const h = healthz.take();
  const acks = ingest.acks.take();
  const late = clients.lateness.take();
  const frames = clients.frames();
  const rate = (ingest.accepted - lastAccepted) / (LINE_EVERY_MS / 1000);
  lastAccepted = ingest.accepted;
  const serverCpu = server.cpuSeconds() ?? lastServerCpu;
  const clientCpu = process.cpuUsage(lastClientCpu);
  const cpu = `cpu server ${((100 * (serverCpu - lastServerCpu)) / (LINE_EVERY_MS / 1000)).toFixed(0)}% soak ${((clientCpu.user + clientCpu.system) / 1e4 / (LINE_EVERY_MS / 1000)).toFixed(0)}%`;
  lastServerCpu = serverCpu;
  lastClientCpu = process.cpuUsage();
  const refusals = m
    ? `limit[${byLabel(m, 'pulseboard_limit_refusals_total', 'limit')}] query[${byLabel(m, 'pulseboard_query_refused_total', 'reason')}] ` +
      `live[${byLabel(m, 'pulseboard_live_refused_total', 'reason')}] dropped=${sumOf(m, 'pulseboard_live_dropped_frames_total')}`
    : '/metrics did not answer';
  console.log(
    `${at.toFixed(0).padStart(4)}s rss ${mb(rss)} ${cpu} lag p99 ${ms(lag)} max ${ms(lagMax)} | healthz p99 ${ms(quantile(h, 0.99))} | ` +
      `ingest ${(rate / 1000).toFixed(1)}k/s ack p99 ${ms(quantile(acks, 0.99))} | ` +
      `frames ${frames.received - lastFrames.received}/${frames.expected - lastFrames.expected} late p99 ${ms(quantile(late, 0.99))} | ` +
      `db ${mb(dbSize(server.dbPath).total)} | ${refusals}`,
  );
  lastFrames = frames;
}

probing = false;
await Promise.all([attacks.stop(), ingest.stop(), prober]);
clients.stop();
const finalRss = server.rss();
const stillUp =
  alive &&
  finalRss !== null &&
  (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) })
    .then((res) => res.ok)
    .catch(() => false));
const peak = Math.max(server.peakRss() ?? 0, server.sampledPeakRss());
const finalMetrics = await scrape();
const stopped = await server.stop();

// RSS growth over the second half: the last sample against the first of the second half. A plateau reads
// ~0; a leak shows as growth that the first half's warm-up (JIT, caches, series up to the limit) cannot explain.
const half = rssSamples.filter((s) => s.at >= durationMs / 2000);
const growth = half.length >= 2 ? half.at(-1)!.rss - half[0]!.rss : Number.NaN;
const allHealthz = healthz.everything();
const allAcks = ingest.acks.everything();
const allLate = clients.lateness.everything();
const frames = clients.frames();
lagP99s.sort((a, b) => a - b);

console.log('\nsummary');
console.log(`  server stayed up: ${stillUp ? 'yes' : 'NO'} (stopped with ${JSON.stringify(stopped)})`);
console.log(
  `  max RSS ${mb(peak)} (limit ${mb(RSS_LIMIT)}); RSS growth over the last half ${Number.isNaN(growth) ? '-' : mb(growth)}`,
);
console.log(
  `  event-loop lag: worst 10 s p99 ${ms(lagP99s.at(-1) ?? Number.NaN)}, median 10 s p99 ${ms(quantile(lagP99s, 0.5))}, max ${ms(maxLag)}`,
);
console.log(
  `  /healthz p50 ${ms(quantile(allHealthz, 0.5))} p99 ${ms(quantile(allHealthz, 0.99))}, ${healthzFailures} failed`,
);
console.log(
  `  ingest: ${ingest.accepted} observations accepted of ${ingest.sent * PER_BODY} sent, ack p50 ${ms(quantile(allAcks, 0.5))} ` +
    `p99 ${ms(quantile(allAcks, 0.99))}, ${ingest.failed} failed, ${ingest.behind} ticks skipped (server behind)`,
);
console.log(
  `  live: ${frames.received}/${frames.expected} frames (${((100 * frames.received) / Math.max(1, frames.expected)).toFixed(1)} %), ` +
    `lateness p50 ${ms(quantile(allLate, 0.5))} p99 ${ms(quantile(allLate, 0.99))}, unexpected closes ${JSON.stringify([...clients.closes])}`,
);
console.log(
  `  load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`  db ${mb(dbSize(server.dbPath).total)} after shutdown`);
for (const [name, tally] of attacks.tallies)
  console.log(`  attacker ${name}: ${JSON.stringify(Object.fromEntries(tally))}`);
if (finalMetrics) {
  console.log(
    `  /metrics: series ${finalMetrics.get('pulseboard_series')}, rejected requests by code [${byLabel(finalMetrics, 'pulseboard_rejected_requests_total', 'code')}]`,
  );
}
rmSync(dir, { recursive: true, force: true });

const failed = !stillUp || peak > RSS_LIMIT;
if (failed) console.log(`\nFAILED: ${!stillUp ? 'the server did not stay up' : `RSS passed ${mb(RSS_LIMIT)}`}`);
process.exit(failed ? 1 : 0);
