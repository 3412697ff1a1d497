/**
 * `npx tsx bench/otlp.ts [--observations N] [--connections N] [--seconds-per-body N] [--cumulative] [--quick] [--runs N]`
 *
 * OTLP protobuf ingest: builds the bodies (untimed), times the decoders in this process, then starts the
 * real server on a fresh database, warms it up with two other services' hour (the cold rate is printed
 * too), sends every body to /v1/metrics over N keep-alive connections (honouring 503 + Retry-After), checks
 * every answer is an empty ExportMetricsServiceResponse and that /api/v1/red counts exactly what was
 * sent, and reports data points/s, observations/s and peak RSS. With `--runs N`
 * it does that N times, each on a fresh server, and reports the median too (runs here vary by ~10 %).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import { parseConfig } from '../packages/server/src/config.ts';
import { directBefore } from '../packages/server/src/core.ts';
import { DEFAULT_LIMITS } from '../packages/server/src/ingest/native/decode.ts';
import { CumulativeSeries } from '../packages/server/src/ingest/otlp/cumulative.ts';
import { decodeMetricsProtobuf } from '../packages/server/src/ingest/otlp/decode-protobuf.ts';
import { convertExport, foldExport } from '../packages/server/src/ingest/otlp/off-thread.ts';
import { fmt, sendOtlp } from './otlp-client.ts';
import { buildOtlpWorkload, type OtlpWorkload } from './otlp-workload.ts';
import { startServer, threadCpuSince } from './server-process.ts';

const GOAL_POINTS_PER_SEC = 200_000;

interface Options {
  observations: number;
  connections: number;
  secondsPerBody: number;
  cumulative: boolean;
  runs: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { observations: 10_000_000, connections: 4, secondsPerBody: 60, cumulative: false, runs: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const number = () => {
      const n = Number((argv[++i] ?? '').replaceAll('_', ''));
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer`);
      return n;
    };
    if (flag === '--observations') opts.observations = number();
    else if (flag === '--connections') opts.connections = number();
    else if (flag === '--seconds-per-body') opts.secondsPerBody = number();
    else if (flag === '--cumulative') opts.cumulative = true;
    else if (flag === '--quick') opts.observations = 1_000_000;
    else if (flag === '--runs') opts.runs = number();
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

/** Decoding alone, and a decode worker's whole share (decode, convert, fold, pack), in this process. */
function timeDecoders(workload: OtlpWorkload) {
  const now = Date.now();
  const context = {
    now,
    liveFrom: now - 120_000,
    directBefore: directBefore(parseConfig([], {}), now),
    limits: { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 },
  };
  const rate = (fn: (body: Buffer) => void) => {
    const t0 = performance.now();
    for (const body of workload.bodies) fn(body);
    return workload.points / ((performance.now() - t0) / 1000);
  };
  rate((b) => decodeMetricsProtobuf(b)); // warm-up
  const decode = rate((b) => decodeMetricsProtobuf(b));
  // Each body against series of its own (as if every one were a series' first point).
  const worker = rate((body) => {
    const job = { id: 0, body, contentType: 'application/x-protobuf', context };
    foldExport(job, convertExport(job), new CumulativeSeries([]));
  });
  return { decodePointsPerSec: decode, workerSharePointsPerSec: worker };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  console.log(`OTLP protobuf ingest bench: node ${process.version}, ${cpus().length} cpus, ${JSON.stringify(opts)}`);
  // Each run takes well under 30 s: the margin keeps all data inside the 1 s tier's hour until the last run.
  const marginMs = 30_000 * (1 + opts.runs);
  const workload = buildOtlpWorkload({ ...opts, end: Date.now() + 10_000, marginMs, seed: 42 });
  const mb = workload.bytes / 1e6;
  console.log(
    `built ${workload.bodies.length} bodies: ${workload.points} histogram points, ${workload.observations} observations, ${mb.toFixed(1)} MB in ${workload.generationMs.toFixed(0)} ms`,
  );
  // Another two services' hour, sent first on each fresh server: its code is then compiled and warm, as in a
  // server that has been running, and the figure below is not mostly the JIT compiler's start-up work.
  const warmup = buildOtlpWorkload({
    ...opts,
    end: workload.end,
    marginMs,
    seed: 7,
    servicePrefix: 'warmup-',
    services: 2,
  });
  const decoders = timeDecoders(workload);
  console.log(
    `in-process, one thread: decode ${fmt(decoders.decodePointsPerSec)} points/s; decode + convert + fold (a decode worker's share) ${fmt(decoders.workerSharePointsPerSec)} points/s`,
  );

  const rates: number[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    if (opts.runs > 1) console.log(`run ${run} of ${opts.runs}:`);
    rates.push(await runOnce(workload, warmup, opts, decoders));
  }
  if (opts.runs > 1) {
    const sorted = [...rates].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `median of ${opts.runs} runs: ${fmt(median)} histogram points/s (${fmt(sorted[0]!)} .. ${fmt(sorted.at(-1)!)})`,
    );
  }
}

/** One run on a fresh server: sends every body, checks the counts, prints and saves the figures; points/s. */
async function runOnce(
  workload: OtlpWorkload,
  warmup: OtlpWorkload,
  opts: Options,
  decoders: ReturnType<typeof timeDecoders>,
): Promise<number> {
  const mb = workload.bytes / 1e6;
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-otlp-bench-'));
  const server = await startServer(dir);
  try {
    const idleRss = server.rss() ?? 0;
    const warm = await sendOtlp(server.baseUrl, '/v1/metrics', warmup.bodies, opts.connections);
    const coldPointsPerSec = warmup.points / (warm.wallMs / 1000);
    console.log(
      `warm-up: ${fmt(warmup.points)} points of other services into the cold server at ${fmt(coldPointsPerSec)} points/s; waiting for their rebuilds`,
    );
    await waitForRebuilds(server.baseUrl);
    const cpu0 = server.cpuSeconds() ?? 0;
    const threads0 = server.threadCpuSeconds();
    const sent = await sendOtlp(server.baseUrl, '/v1/metrics', workload.bodies, opts.connections);
    const cpu = (server.cpuSeconds() ?? 0) - cpu0;
    // The closed 1 min and 1 h buckets are rebuilt once writes to them pause: wait for that too, so the
    // work it takes shows beside the ingest figure instead of vanishing after the timed window.
    const threads = threadCpuSince(server, threads0);
    const caughtUp = await waitForRebuilds(server.baseUrl);
    const cpuCaughtUp = (server.cpuSeconds() ?? 0) - cpu0;
    const seconds = sent.wallMs / 1000;
    const red = await fetch(
      `${server.baseUrl}/api/v1/red?from=${workload.start - 1000}&to=${workload.end + 1000}&maxPoints=1`,
    ).then((r) => r.json() as Promise<RedResponse>);
    const counted = serviceSeries(red)
      .filter((s) => !s.service.startsWith('warmup-'))
      .flatMap((s) => s.points)
      .reduce((n, p) => n + p.count, 0);
    const results = {
      date: new Date().toISOString(),
      options: opts,
      points: workload.points,
      observations: workload.observations,
      bytes: workload.bytes,
      ...decoders,
      warmupPoints: warmup.points,
      coldPointsPerSec,
      wallMs: sent.wallMs,
      pointsPerSec: workload.points / seconds,
      observationsPerSec: workload.observations / seconds,
      mbPerSec: mb / seconds,
      serverCpuSeconds: cpu,
      rebuildsDoneAfterMs: caughtUp,
      serverCpuSecondsWithRebuilds: cpuCaughtUp,
      threadCpuSeconds: Object.fromEntries(threads),
      ackP50Ms: sent.ackP50Ms,
      ackP99Ms: sent.ackP99Ms,
      retries: sent.retries,
      idleRssBytes: idleRss,
      peakRssBytes: server.peakRss() ?? server.sampledPeakRss(),
      countedByRed: counted,
      countsExact: counted === workload.observations,
    };
    console.log(
      [
        `ingest: ${fmt(results.pointsPerSec)} histogram points/s (goal ${fmt(GOAL_POINTS_PER_SEC)}), ${fmt(results.observationsPerSec)} observations/s, ${results.mbPerSec.toFixed(1)} MB/s`,
        `        ${(sent.wallMs / 1000).toFixed(2)} s wall, server CPU ${cpu.toFixed(2)} s, ack p50 ${sent.ackP50Ms.toFixed(0)} ms p99 ${sent.ackP99Ms.toFixed(0)} ms, ${sent.retries} retries`,
        `        CPU by thread: ${threads.map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`).join(', ')}`,
        `        1 min / 1 h buckets rebuilt ${(caughtUp / 1000).toFixed(1)} s after the last ack; server CPU up to then ${cpuCaughtUp.toFixed(2)} s`,
        `memory: RSS when ready ${(idleRss / 2 ** 20).toFixed(0)} MiB, peak RSS ${(results.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
        `check:  /api/v1/red counts ${counted} of ${workload.observations} observations ${results.countsExact ? '(exact)' : '(MISMATCH)'}`,
      ].join('\n'),
    );
    const out = join(import.meta.dirname, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `otlp-${results.date.replaceAll(':', '-')}.json`), `${JSON.stringify(results, null, 2)}\n`);
    if (!results.countsExact) process.exitCode = 1;
    return results.pointsPerSec;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Ms from now until the server's rebuild backlog (`pulseboard_rebuild_backlog`) is down to the buckets the
 * data reaches that are still open: the workload ends now, so the current minute and hour (2) wait for
 * their end. Polled twice a second: /metrics itself costs a few ms of server CPU.
 */
async function waitForRebuilds(baseUrl: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const text = await fetch(`${baseUrl}/metrics`).then((r) => r.text());
    const backlog = Number(/^pulseboard_rebuild_backlog (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
    if (!Number.isFinite(backlog)) throw new Error('no pulseboard_rebuild_backlog in /metrics');
    if (backlog <= 2) return performance.now() - t0;
    if (performance.now() - t0 > 300_000) throw new Error(`rebuild backlog still ${backlog} after 5 min`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
