/**
 * `npm run bench [-- --observations N] [--connections N] [--quick] [--per-body N] [--seed N] [--keep] [--entry FILE]`
 *
 * Ingest + query benchmark on the workload the budgets are stated for: build the bodies (untimed), start
 * the server on a fresh database, ingest over HTTP, time the per-service-per-minute percentile query,
 * check the answer, read peak RSS and database size, stop the server cleanly, print and save results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAccuracy } from './accuracy.ts';
import { cpuSplit } from './cpu.ts';
import { parseFlags } from './flags.ts';
import { ingest } from './ingest.ts';
import { hourWindow, runQuery, waitForRebuilds } from './query.ts';
import { GOALS, load1, machine, printHeader, printReport, type Results, writeResults } from './report.ts';
import { dbSize, type ServerHandle, startServer } from './server-process.ts';
import { buildRecentWorkload, countInRange, SERVICES } from './workload.ts';

interface Options {
  observations: number;
  connections: number;
  perBody: number;
  seed: number;
  keep: boolean;
  /** Another build's server entry, for a before/after (`--entry FILE`). */
  entry?: string;
}

const USAGE =
  'usage: npm run bench -- [--observations N] [--connections N] [--quick] [--per-body N] [--seed N] [--keep] [--entry FILE]';

function parseArgs(argv: string[]): Options {
  const opts: Options = { observations: 10_000_000, connections: 4, perBody: 50_000, seed: 42, keep: false };
  parseFlags(argv, USAGE, {
    '--observations': (v) => (opts.observations = v.positive()),
    '--connections': (v) => (opts.connections = v.positive()),
    '--per-body': (v) => (opts.perBody = v.positive()),
    '--seed': (v) => (opts.seed = v.positive()),
    '--quick': () => (opts.observations = 1_000_000),
    '--keep': () => (opts.keep = true),
    '--entry': (v) => (opts.entry = v.text() ?? ''),
  });
  return opts;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const date = new Date().toISOString();
  const m = machine();
  const loadStart = load1();
  printHeader(m, date, loadStart);

  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-bench-'));
  let server: ServerHandle | null = null;
  try {
    server = await startServer(dir, 30_000, opts.entry ? { entry: opts.entry } : {});
    const idleRss = server.rss();
    const readyMs = server.readyMs;
    console.log(`server pid ${server.pid} ready on ${server.baseUrl} in ${readyMs.toFixed(0)} ms`);
    // V8 gives back the heap it grew while starting once the process has been idle ~8 s: the budget is for
    // an idle server, so that RSS is read 10 s after ready (the one above is a server just started).
    const settledAfterMs = 10_000;
    await new Promise((resolve) => setTimeout(resolve, settledAfterMs));
    const settledRss = server.rss();

    // Bodies are built now, before any clock runs.
    process.stdout.write(`building ${opts.observations.toLocaleString('en-US')} observations... `);
    const w = buildRecentWorkload(opts);
    const { marginMs } = w;
    console.log(
      `${w.bodies.length} bodies, ${(w.bytes / 1e6).toFixed(1)} MB in ${(w.generationMs / 1000).toFixed(1)} s`,
    );

    process.stdout.write(`ingesting over ${opts.connections} connections... `);
    const oldestAgeMs = Date.now() - w.start;
    const handle = server;
    const cpuDone = cpuSplit(() => handle.cpuSeconds());
    const ing = await ingest(server.baseUrl, w.bodies, w.bodyCounts, opts.connections);
    const ingestCpu = cpuDone();
    console.log(`${Math.round(ing.obsPerSec).toLocaleString('en-US')} obs/s`);
    if (ing.accepted !== ing.observations) console.log(`WARNING: accepted ${ing.accepted} of ${ing.observations}`);
    const dbAfterIngest = dbSize(server.dbPath);

    // An hour of data arrived in seconds: let the server finish rebuilding its minute and hour buckets
    // (as it would have while the hour passed), so the query reads the tiers a dashboard would.
    const settleMs = await waitForRebuilds(server.baseUrl);
    console.log(`rebuilt coarse buckets in ${Math.round(settleMs)} ms`);
    process.stdout.write('querying... ');
    const window = hourWindow(w.end);
    const expected = { services: SERVICES, count: countInRange(w, window.from, window.to) };
    const q = await runQuery(server.baseUrl, window, expected);
    console.log(`median ${q.medianMs.toFixed(2)} ms`);
    const accuracy = checkAccuracy(w, q.response, window.from, window.to);

    // VmHWM must be read while the process still exists; it covers start-up, ingest and queries.
    const peakRss = server.peakRss();
    const sampledPeak = server.sampledPeakRss();
    const shutdown = await server.stop();
    server = null;
    const dbAfterShutdown = dbSize(join(dir, 'bench.db'));

    const { response: _response, ...query } = q;
    const results: Results = {
      date,
      machine: m,
      load: { start: loadStart, end: load1() },
      options: {
        observations: opts.observations,
        connections: opts.connections,
        perBody: opts.perBody,
        seed: opts.seed,
      },
      workload: {
        observations: w.observations,
        bodies: w.bodies.length,
        bytes: w.bytes,
        generationMs: w.generationMs,
        start: w.start,
        end: w.end,
        marginMs,
        oldestAgeAtIngestMs: oldestAgeMs,
      },
      server: {
        readyMs,
        idleRssBytes: idleRss,
        settledRssBytes: settledRss,
        settledAfterMs,
        peakRssBytes: peakRss,
        sampledPeakRssBytes: sampledPeak,
        ingestCpu,
        dbAfterIngest,
        dbAfterShutdown,
        shutdown,
      },
      ingest: ing,
      query,
      accuracy,
      goals: {
        ingest: ing.obsPerSec >= GOALS.ingestObsPerSec,
        query: q.medianMs < GOALS.queryMs,
        peakRss: peakRss !== null && peakRss < GOALS.peakRssBytes,
        idleRss: settledRss !== null && settledRss < GOALS.idleRssBytes,
      },
    };
    printReport(results);
    console.log(`\nresults: ${writeResults(results)}`);
  } finally {
    if (server) {
      // A failure mid-run: still stop the child so no server is left holding the port and the file.
      const output = server.output();
      await server.stop(5_000);
      console.error(`\nlast server output:\n${output}`);
    }
    if (opts.keep) console.log(`database kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
