/**
 * Turns the measurements into the printed table and bench/out/results.json. Kept apart from the
 * measuring code so that changing the presentation can never change what is measured.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { AccuracyResult } from './accuracy.ts';
import type { CpuSplit } from './cpu.ts';
import type { IngestResult } from './ingest.ts';
import type { QueryResult } from './query.ts';
import type { DbSize } from './server-process.ts';

/** The goals for the 10 M workload. */
export const GOALS = {
  ingestObsPerSec: 1_000_000,
  queryMs: 25,
  peakRssBytes: 300 * 1024 * 1024,
  // PRODUCT.md's footprint budget: idle under 100 MB.
  idleRssBytes: 100 * 1000 * 1000,
};

export interface Results {
  date: string;
  machine: { cores: number; cpu: string; node: string; platform: string };
  /** 1-minute load average at start and end: other work on this 2-core machine skews every figure. */
  load: { start: number; end: number };
  options: { observations: number; connections: number; perBody: number; seed: number };
  workload: {
    observations: number;
    bodies: number;
    bytes: number;
    generationMs: number;
    start: number;
    end: number;
    marginMs: number;
    /** How old the first observation was when ingest began; over an hour means it missed the 1 s tier. */
    oldestAgeAtIngestMs: number;
  };
  server: {
    readyMs: number;
    idleRssBytes: number | null;
    /** RSS `settledAfterMs` after ready, with nothing sent yet: an idle server's (the budget's). */
    settledRssBytes: number | null;
    settledAfterMs: number;
    peakRssBytes: number | null;
    sampledPeakRssBytes: number;
    /** CPU seconds of the server, this client and everything else during the ingest wall time. */
    ingestCpu: CpuSplit | null;
    dbAfterIngest: DbSize;
    dbAfterShutdown: DbSize | null;
    shutdown: { code: number | null; signal: string | null; ms: number; killed: boolean } | null;
  };
  ingest: IngestResult;
  query: Omit<QueryResult, 'response'>;
  accuracy: AccuracyResult | null;
  goals: { ingest: boolean; query: boolean; peakRss: boolean; idleRss: boolean };
}

export function machine(): Results['machine'] {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);
const ms = (n: number): string => (n < 100 ? `${n.toFixed(2)} ms` : `${int(n)} ms`);
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : 'missing');
const row = (label: string, value: string, note = ''): string =>
  `  ${label.padEnd(30)} ${value.padStart(24)}  ${note}`.trimEnd();
const dbLine = (d: DbSize): string =>
  `${int(d.total)} B (${mb(d.total)}: db ${int(d.db)}, wal ${int(d.wal)}, shm ${int(d.shm)})`;

export const load1 = (): number => loadavg()[0] ?? 0;

/** A 1-minute load above this at start means something else ran recently (it decays slowly, so: a hint). */
const BUSY_LOAD = 1;
/** Foreign CPU use during ingest above this many cores is worth a warning on a 2-core machine. */
const BUSY_CORES = 0.1;

export function printHeader(m: Results['machine'], date: string, load: number): void {
  console.log(`Pulseboard benchmark  ${date}`);
  console.log(`machine: ${m.cores} cores (${m.cpu}), node ${m.node}, ${m.platform}, load average ${load.toFixed(2)}`);
  if (load > BUSY_LOAD) console.log('NOTE: other work ran recently; see "other work" under CPU during ingest.');
  console.log('');
}

export function printReport(r: Results): void {
  const full = r.options.observations >= 10_000_000;
  const w = r.workload;
  console.log('');
  console.log(`Workload: ${int(w.observations)} observations, 5 services x 10 routes, log-normal latency, 2% errors,`);
  console.log(`  over ${new Date(w.start).toISOString()} .. ${new Date(w.end).toISOString()}`);
  console.log(
    `  ${w.bodies} bodies of ~${int(r.options.perBody)} observations, ${mb(w.bytes)} of JSON, built in ${ms(w.generationMs)} (not timed)`,
  );
  const age = w.oldestAgeAtIngestMs / 1000;
  console.log(
    `  oldest observation ${age.toFixed(1)} s old when ingest began${age < 3600 ? " (inside the 1 s tier's hour)" : ' (WARNING: older than the 1 s tier keeps)'}`,
  );
  if (!full)
    console.log('  NOTE: smaller than the 10 M workload the goals are stated for; goals shown for orientation only.');

  const i = r.ingest;
  console.log(`\nIngest  POST /api/v1/metrics, ${r.options.connections} keep-alive connections`);
  console.log(
    row('observations/s', int(i.obsPerSec), `goal >= ${int(GOALS.ingestObsPerSec)}  ${verdict(r.goals.ingest)}`),
  );
  console.log(row('body MB/s (10^6 B)', i.mbPerSec.toFixed(1)));
  console.log(row('wall time', ms(i.wallMs), 'first send to last ack'));
  console.log(
    row(
      'accepted / sent',
      `${int(i.accepted)} / ${int(i.observations)}`,
      i.accepted === i.observations && i.mismatches === 0 ? 'ok' : `MISMATCH (${i.mismatches} bodies)`,
    ),
  );
  console.log(row('requests (503/429 retries)', `${i.requests} (${i.retries})`));
  console.log(
    row(
      'ack latency p50 / p99 / max',
      `${i.ackP50Ms.toFixed(1)} / ${i.ackP99Ms.toFixed(1)} / ${i.ackMaxMs.toFixed(1)} ms`,
    ),
  );

  const s = r.server;
  console.log('\nServer process');
  console.log(
    row('peak RSS (VmHWM)', mb(s.peakRssBytes), `goal < ${mb(GOALS.peakRssBytes)}  ${verdict(r.goals.peakRss)}`),
  );
  console.log(row('peak VmRSS sampled / 250 ms', mb(s.sampledPeakRssBytes)));
  console.log(row('RSS when ready', mb(s.idleRssBytes)));
  console.log(
    row(
      `RSS idle, ${(s.settledAfterMs / 1000).toFixed(0)} s after ready`,
      mb(s.settledRssBytes),
      `goal < ${mb(GOALS.idleRssBytes)}  ${verdict(r.goals.idleRss)}`,
    ),
  );
  const cpu = s.ingestCpu;
  if (cpu) {
    const wall = r.ingest.wallMs / 1000;
    const cores = (x: number): string => `${(x / wall).toFixed(2)} cores`;
    console.log(row('CPU during ingest: server', `${cpu.server.toFixed(1)} s`, cores(cpu.server)));
    console.log(
      row(
        '  bench client / other work',
        `${cpu.client.toFixed(1)} s / ${cpu.other.toFixed(1)} s`,
        `${cores(cpu.client)} / ${cores(cpu.other)}${cpu.other / wall > BUSY_CORES ? '  WARNING: other work competed' : ''}`,
      ),
    );
  }
  console.log(row('ready after spawn', ms(s.readyMs)));
  console.log(`  database after ingest:          ${dbLine(s.dbAfterIngest)}`);
  if (s.dbAfterShutdown) {
    const same = s.dbAfterShutdown.total === s.dbAfterIngest.total;
    console.log(`  database after clean shutdown:  ${same ? 'same' : dbLine(s.dbAfterShutdown)}`);
  }
  if (s.shutdown) {
    const how = s.shutdown.killed
      ? 'did NOT exit on SIGTERM, killed'
      : `exit code ${s.shutdown.code ?? s.shutdown.signal}`;
    console.log(row('SIGTERM to exit', ms(s.shutdown.ms), how));
  }

  const q = r.query;
  console.log('\nQuery  p50/p95/p99 per service per minute over the hour (GET /api/v1/red, maxPoints=60)');
  console.log(row('median of 5 runs', ms(q.medianMs), `goal < ${GOALS.queryMs} ms  ${verdict(r.goals.query)}`));
  console.log(row('runs', q.runsMs.map((x) => x.toFixed(2)).join(', '), `ms (warm-up ${ms(q.warmupMs)})`));
  console.log(row('response', `${int(q.responseBytes)} B`, `step ${q.check.step} ms, ${q.check.series} series`));
  console.log(
    row(
      'check',
      q.check.ok ? 'ok' : 'FAILED',
      q.check.ok ? `count ${int(q.check.count)} = sent in range` : q.check.problems.join('; '),
    ),
  );
  const a = r.accuracy;
  if (a) {
    const line = (k: 'p50' | 'p95' | 'p99'): string => `${pct(a[k].median)} / ${pct(a[k].max)}`;
    console.log(row('rel. error p50 (median/max)', line('p50'), `over ${a.cells} service-minutes vs exact`));
    console.log(row('rel. error p95 (median/max)', line('p95')));
    console.log(
      row(
        'rel. error p99 (median/max)',
        line('p99'),
        a.countMismatches || a.missing ? `${a.countMismatches} count mismatches, ${a.missing} missing cells` : '',
      ),
    );
  }

  console.log('\nPeers on the same work, measured in one run: npm run bench -- --peers');
}

export function writeResults(r: Results): string {
  const dir = new URL('./out/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('results.json', dir);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file.pathname;
}
