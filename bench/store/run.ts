/**
 * `npm run bench -- --store postgres [--observations N] [--connections N] [--query-runs N] [--rounds N] [--seed N]`
 *
 * The native ingest workload and the RED query of `npm run bench`, on three set-ups measured in turn in
 * the same run: one instance on a fresh SQLite file, one on a fresh PostgreSQL database, and two instances
 * on one fresh PostgreSQL database forming a cluster over Redis (each sent half the bodies over half the
 * connections). Databases are created for each set-up and dropped after. Each set-up ends by reading the
 * whole hour's count back from every instance, to check nothing sent was lost or counted twice. The three
 * are measured `--rounds` times, the order rotated each round, since other work on the machine varies.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../packages/server/src/store/postgres/test-database.ts';
import { parseFlags } from '../flags.ts';
import { ingest } from '../ingest.ts';
import { hourWindow, type RedResponse, runQuery, waitForRebuilds } from '../query.ts';
import { type ServerHandle, startServer } from '../server-process.ts';
import { buildRecentWorkload, countInRange, SERVICES, type Workload } from '../workload.ts';
import { type PhaseResult, printRounds, printTable } from './table.ts';

const REDIS_URL = process.env.PULSEBOARD_TEST_REDIS ?? 'redis://127.0.0.1:6379';
const MINUTE = 60_000;
const USAGE =
  'usage: npm run bench -- --store postgres [--observations N] [--connections N] [--query-runs N] [--rounds N] [--seed N]';

interface Options {
  observations: number;
  connections: number;
  queryRuns: number;
  rounds: number;
  perBody: number;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  // Smaller than the SQLite bench's 10 M: three set-ups in one run, and PostgreSQL ingests slower.
  const opts: Options = {
    observations: 2_000_000,
    connections: 4,
    queryRuns: 40,
    rounds: 2,
    perBody: 50_000,
    seed: 42,
  };
  let store: string | undefined;
  parseFlags(argv, USAGE, {
    '--store': (v) => (store = v.text()),
    '--observations': (v) => (opts.observations = v.positive()),
    '--connections': (v) => (opts.connections = v.positive()),
    '--query-runs': (v) => (opts.queryRuns = v.positive()),
    '--rounds': (v) => (opts.rounds = v.positive()),
    '--seed': (v) => (opts.seed = v.positive()),
  });
  if (store !== 'postgres') throw new Error(`--store takes postgres, got ${store ?? 'nothing'}\n${USAGE}`);
  if (opts.connections < 2) throw new Error(`--connections must be at least 2 (one per instance)\n${USAGE}`);
  return opts;
}

const loadText = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

/** Nearest-rank quantile of a sorted list. */
const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

/** Every count an instance answers for the whole span sent, one-minute points. */
async function readBack(baseUrl: string, w: Workload): Promise<number> {
  const to = hourWindow(w.end).to;
  const from = Math.floor(w.start / MINUTE) * MINUTE;
  const url = `${baseUrl}/api/v1/red?from=${from}&to=${to}&maxPoints=${(to - from) / MINUTE}`;
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as RedResponse;
  return body.series.reduce((sum, s) => sum + s.points.reduce((a, p) => a + (p.count ?? 0), 0), 0);
}

async function runPhase(name: 'SQLite' | 'PostgreSQL', instances: number, opts: Options): Promise<PhaseResult> {
  console.log(`\n${name}, ${instances} instance${instances > 1 ? 's' : ''} (load ${loadText()})`);
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-bench-store-'));
  const database = name === 'PostgreSQL' ? await createTestDatabase() : null;
  // A prefix of its own, so the cluster never meets another run's (or a test's) instances on the shared Redis.
  const cluster =
    instances > 1 ? ['--redis', REDIS_URL, '--redis-prefix', `pulseboard-bench-${randomBytes(6).toString('hex')}`] : [];
  const servers: ServerHandle[] = [];
  try {
    // One after the other: the first runs the migrations on the fresh database, the next finds them done.
    for (let k = 0; k < instances; k++)
      servers.push(await startServer(dir, 60_000, { db: database?.url, args: cluster }));
    console.log(`  ready: ${servers.map((s) => `pid ${s.pid} on ${s.baseUrl}`).join(', ')}`);

    process.stdout.write(`  building ${opts.observations.toLocaleString('en-US')} observations... `);
    const w = buildRecentWorkload(opts);
    console.log(`${w.bodies.length} bodies in ${(w.generationMs / 1000).toFixed(1)} s`);

    // Body i goes to instance i mod N, over its share of the connections, all instances at once.
    const share = (k: number) => ({
      bodies: w.bodies.filter((_, i) => i % instances === k),
      counts: w.bodyCounts.filter((_, i) => i % instances === k),
    });
    const connections = Math.max(1, Math.floor(opts.connections / instances));
    process.stdout.write(`  ingesting over ${connections} connection(s) per instance... `);
    const cpu0 = servers.map((s) => s.cpuSeconds() ?? 0);
    const t0 = performance.now();
    const parts = await Promise.all(
      servers.map((s, k) => {
        const { bodies, counts } = share(k);
        return ingest(s.baseUrl, bodies, counts, connections);
      }),
    );
    const wallMs = performance.now() - t0;
    const serverCpu = servers.reduce((sum, s, k) => sum + (s.cpuSeconds() ?? 0) - cpu0[k]!, 0);
    const accepted = parts.reduce((a, p) => a + p.accepted, 0);
    const obsPerSec = accepted / (wallMs / 1000);
    console.log(`${Math.round(obsPerSec).toLocaleString('en-US')} obs/s`);

    const rebuildT0 = performance.now();
    await Promise.all(servers.map((s) => waitForRebuilds(s.baseUrl)));
    const rebuildMs = performance.now() - rebuildT0;

    // The query runs are shared out over the instances, so in a cluster each one's answer is checked too.
    const window = hourWindow(w.end);
    const expected = { services: SERVICES, count: countInRange(w, window.from, window.to) };
    const runsMs: number[] = [];
    const problems: string[] = [];
    for (const [k, s] of servers.entries()) {
      const q = await runQuery(s.baseUrl, window, expected, Math.ceil(opts.queryRuns / instances));
      runsMs.push(...q.runsMs);
      problems.push(...q.check.problems.map((p) => `instance ${k + 1}: ${p}`));
    }
    runsMs.sort((a, b) => a - b);
    const readBacks = await Promise.all(servers.map((s) => readBack(s.baseUrl, w)));
    console.log(`  read back ${readBacks.join(' & ')} of ${w.observations} sent`);

    const peakRssBytes = servers.map((s) => s.peakRss());
    return {
      name,
      instances,
      observations: w.observations,
      accepted,
      wallMs,
      obsPerSec,
      retries: parts.reduce((a, p) => a + p.retries, 0),
      ackP99Ms: Math.max(...parts.map((p) => p.ackP99Ms)),
      peakRssBytes,
      serverCores: serverCpu / (wallMs / 1000),
      rebuildMs,
      query: {
        runs: runsMs.length,
        p50: quantile(runsMs, 0.5),
        p95: quantile(runsMs, 0.95),
        p99: quantile(runsMs, 0.99),
        ok: problems.length === 0,
        problems,
      },
      readBack: readBacks,
      load: loadText(),
    };
  } catch (err) {
    for (const s of servers) console.error(`\nlast output of server pid ${s.pid}:\n${s.output()}`);
    throw err;
  } finally {
    for (const s of servers) await s.stop(10_000);
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = performance.now();
  console.log(`Pulseboard store benchmark  ${new Date().toISOString()}  load average ${loadText()}`);
  console.log(
    `${opts.observations.toLocaleString('en-US')} observations per set-up, ${opts.connections} connections in all, ` +
      `${opts.queryRuns} RED queries (GET /api/v1/red, the hour, per service per minute)`,
  );
  const setUps: ['SQLite' | 'PostgreSQL', number][] = [
    ['SQLite', 1],
    ['PostgreSQL', 1],
    ['PostgreSQL', 2],
  ];
  const rounds: PhaseResult[][] = [];
  for (let r = 0; r < opts.rounds; r++) {
    const results: PhaseResult[] = [];
    for (let i = 0; i < setUps.length; i++) {
      const k = (i + r) % setUps.length;
      const [name, instances] = setUps[k]!;
      results[k] = await runPhase(name, instances, opts);
    }
    rounds.push(results);
  }
  for (const [r, results] of rounds.entries()) printTable(results, opts, `Round ${r + 1} of ${opts.rounds}`);
  printRounds(rounds);
  console.log(
    `\n  whole run ${((performance.now() - started) / 1000).toFixed(0)} s; the machine's load is shared by whatever else runs on it`,
  );
  const lost = rounds.flat().some((p) => p.accepted !== p.observations || p.readBack.some((n) => n !== p.observations));
  if (lost) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`\nstore bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
