/**
 * `npx tsx bench/traces.ts [--spans N] [--connections N] [--runs N] [--entry FILE]`
 *
 * OTLP trace ingest: builds protobuf exports of 100 spans each (untimed; half SERVER spans, each with a
 * CLIENT span calling another service, ten routes per service, 2 % errors; each export's spans end within
 * a second, the exports in turn covering the last 10 minutes), times decoding, span mapping and a decode
 * worker's whole share in this process, then starts the real server on a fresh database, warms it up with
 * 10 % of the bodies under other service names, sends every body to /v1/traces over N keep-alive
 * connections, checks every answer is an empty ExportTraceServiceResponse and that /api/v1/red counts
 * exactly the SERVER spans sent, and reports spans/s (goal 300,000), the server's CPU per thread (main
 * thread against decode workers) and peak RSS; figures go to bench/out/traces-*.json too. First, the same
 * bodies go to a bare HTTP server (http-floor.ts): the most any Node.js server reaches here.
 * `BENCH_CPU_PROFILE=DIR` writes the server's CPU profiles (see server-process.ts); `--entry` runs another
 * build's `main.mjs` (an older commit's packages/server/dist/node copied to, say, packages/server/dist/base)
 * for a before/after in the same minutes; the in-process figures are always this tree's code.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../packages/server/src/config.ts';
import { directBefore } from '../packages/server/src/core.ts';
import { DEFAULT_LIMITS } from '../packages/server/src/ingest/native/decode.ts';
import { decodeTracesProtobuf } from '../packages/server/src/ingest/otlp/traces/decode-protobuf.ts';
import { SpanMapping } from '../packages/server/src/ingest/otlp/traces/observations.ts';
import { foldTraceExport } from '../packages/server/src/ingest/otlp/traces/off-thread.ts';
import { type RedResponse, serviceSeries } from '../packages/shared/src/index.ts';
import { measureHttpFloor } from './http-floor.ts';
import { fmt, sendOtlp } from './otlp-client.ts';
import { startServer, threadCpuSince } from './server-process.ts';
import { buildExports, SPANS_PER_EXPORT, SPREAD_MS } from './trace-exports.ts';

const GOAL_SPANS_PER_SEC = 300_000;

interface Options {
  spans: number;
  connections: number;
  runs: number;
  entry?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { spans: 2_000_000, connections: 4, runs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--entry') {
      opts.entry = argv[++i] ?? '';
      continue;
    }
    const n = Number((argv[++i] ?? '').replaceAll('_', ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
    if (flag === '--spans') opts.spans = n;
    else if (flag === '--connections') opts.connections = n;
    else if (flag === '--runs') opts.runs = n;
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

/**
 * Decoding alone, decoding plus span mapping, and a decode worker's whole share of an export (decode, map,
 * fold, pack), in this process: spans per second of this thread's CPU, steadier than wall time here.
 */
function timeWorkerShare(bodies: Buffer[], spans: number) {
  const now = Date.now();
  const limits = { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 };
  const options = { now, limits, hasRequestMetrics: () => false };
  const context = { now, liveFrom: now - 120_000, directBefore: directBefore(parseConfig([], {}), now), limits };
  const rate = (fn: (body: Buffer) => void) => {
    const t0 = process.cpuUsage();
    for (const body of bodies) fn(body);
    const used = process.cpuUsage(t0);
    return spans / ((used.user + used.system) / 1e6);
  };
  rate((b) => foldTraceExport(b, 'application/x-protobuf', context, [])); // warm-up
  return {
    decode: rate((b) => decodeTracesProtobuf(b)),
    map: rate((b) => new SpanMapping(options).run(decodeTracesProtobuf(b))),
    workerShare: rate((b) => foldTraceExport(b, 'application/x-protobuf', context, [])),
  };
}

async function runOnce(
  opts: Options,
  work: ReturnType<typeof buildExports>,
  warmup: Buffer[],
  end: number,
  inProcess: ReturnType<typeof timeWorkerShare>,
) {
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-traces-bench-'));
  const server = await startServer(dir, undefined, opts.entry === undefined ? {} : { entry: opts.entry });
  try {
    await sendOtlp(server.baseUrl, '/v1/traces', warmup, opts.connections);
    const commits0 = await commitCount(server.baseUrl);
    const cpu0 = server.cpuSeconds() ?? 0;
    const threads0 = server.threadCpuSeconds();
    const client0 = process.cpuUsage();
    const sent = await sendOtlp(server.baseUrl, '/v1/traces', work.bodies, opts.connections);
    const client = process.cpuUsage(client0);
    const clientCpu = (client.user + client.system) / 1e6;
    const cpu = (server.cpuSeconds() ?? 0) - cpu0;
    const threads = threadCpuSince(server, threads0);
    const commits = (await commitCount(server.baseUrl)) - commits0;
    const spans = work.bodies.length * SPANS_PER_EXPORT;
    const rate = spans / (sent.wallMs / 1000);
    const { counted, waitedMs } = await countWhenComplete(server.baseUrl, end);
    const results = {
      date: new Date().toISOString(),
      options: opts,
      loadAverage: loadavg()[0] ?? 0,
      spans,
      inProcessSpansPerCpuSecond: inProcess,
      wallMs: sent.wallMs,
      spansPerSec: rate,
      serverCpuSeconds: cpu,
      spansPerServerCpuSecond: spans / cpu,
      threadCpuSeconds: Object.fromEntries(threads),
      clientCpuSeconds: clientCpu,
      commits,
      ackP50Ms: sent.ackP50Ms,
      ackP99Ms: sent.ackP99Ms,
      retries: sent.retries,
      peakRssBytes: server.peakRss() ?? server.sampledPeakRss(),
      countedByRed: counted,
      countWaitedMs: waitedMs,
      countsExact: counted === work.requests,
    };
    console.log(
      [
        `ingest: ${fmt(rate)} spans/s (goal ${fmt(GOAL_SPANS_PER_SEC)}) in ${SPANS_PER_EXPORT}-span exports, load average ${results.loadAverage.toFixed(1)}`,
        `        ${(sent.wallMs / 1000).toFixed(2)} s wall, server CPU ${cpu.toFixed(2)} s (${fmt(spans / cpu)} spans per CPU second, the steadier figure on a shared machine), ack p50 ${sent.ackP50Ms.toFixed(0)} ms p99 ${sent.ackP99Ms.toFixed(0)} ms, ${sent.retries} retries, ${(work.bodies.length / commits).toFixed(1)} exports per commit`,
        `        CPU by thread: ${threads.map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`).join(', ')}; this client ${clientCpu.toFixed(2)} s`,
        `memory: peak RSS ${(results.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
        `check:  /api/v1/red counts ${counted} of ${work.requests} SERVER spans ${results.countsExact ? '(exact)' : '(MISMATCH)'}, read ${(waitedMs / 1000).toFixed(0)} s after the last answer`,
      ].join('\n'),
    );
    const out = join(import.meta.dirname, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, `traces-${results.date.replaceAll(':', '-')}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    if (!results.countsExact) process.exitCode = 1;
    return rate;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Group commits so far: the count of the server's store-write histogram. */
async function commitCount(baseUrl: string): Promise<number> {
  const text = await fetch(`${baseUrl}/metrics`).then((r) => r.text());
  return Number(/^pulseboard_store_write_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`OTLP trace ingest bench: node ${process.version}, ${cpus().length} cpus, ${JSON.stringify(opts)}`);
  const end = Date.now();
  const exports = Math.ceil(opts.spans / SPANS_PER_EXPORT);
  const work = buildExports(exports, end, '');
  const warmup = buildExports(Math.ceil(exports / 10), end, 'warmup-').bodies;
  const inProcess = timeWorkerShare(work.bodies, exports * SPANS_PER_EXPORT);
  console.log(
    `in-process, spans per CPU second of one thread: decode ${fmt(inProcess.decode)}; decode + map ${fmt(inProcess.map)}; decode + map + fold + pack (a decode worker's share) ${fmt(inProcess.workerShare)}`,
  );
  const floor = await measureHttpFloor('/v1/traces', work.bodies, opts.connections);
  console.log(
    `HTTP floor (a bare node:http server that only reads each body, same bodies and client): ${fmt(floor.requestsPerSec * SPANS_PER_EXPORT)} spans/s, its CPU ${floor.serverCpuSeconds.toFixed(2)} s, this client ${floor.clientCpuSeconds.toFixed(2)} s`,
  );
  const rates: number[] = [];
  for (let run = 1; run <= opts.runs; run++) rates.push(await runOnce(opts, work, warmup, end, inProcess));
  if (opts.runs > 1) {
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(
      `median of ${opts.runs} runs: ${fmt(sorted[Math.floor(sorted.length / 2)]!)} spans/s (${fmt(sorted[0]!)} .. ${fmt(sorted.at(-1)!)})`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * The SERVER spans `/api/v1/red` counts over the exports' time, once every service's data is complete up to
 * its end. Ten minutes of spans sent in seconds read as a service sending in batches ~30 s late, so
 * reads leave out its newest 30 s until it has stopped (a minute later); counted at once, the last 30 s of
 * spans were missing. Waits at most 90 s, then counts what is there.
 */
async function countWhenComplete(baseUrl: string, end: number): Promise<{ counted: number; waitedMs: number }> {
  const started = performance.now();
  // Spans end up to a second after `end`.
  const to = end + 1000;
  for (;;) {
    const red = await fetch(`${baseUrl}/api/v1/red?from=${end - SPREAD_MS - 60_000}&to=${to}&maxPoints=1`).then(
      (r) => r.json() as Promise<RedResponse>,
    );
    const series = serviceSeries(red).filter((s) => !s.service.startsWith('warmup-'));
    const waitedMs = performance.now() - started;
    if (series.every((s) => s.until === undefined || s.until >= to) || waitedMs > 90_000) {
      return { counted: series.flatMap((s) => s.points).reduce((n, p) => n + p.count, 0), waitedMs };
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
