/**
 * `npm run bench -- --import [--observations N] [--days N] [--per-body N] [--connections N] [--entry FILE]`
 *
 * A history import: a week of the bench workload (5 services x 10 routes, default 3 M observations) sent
 * oldest first to a fresh server (demo off). Then, every second until the rebuild backlog
 * (`pulseboard_rebuild_backlog`) is down to the open minute and hour, the 1 h, 24 h and 7 d overviews are timed,
 * as the page would read them meanwhile; then their medians once rebuilt (and the 7 d count checked against
 * what was sent); then the server is restarted on that database to time start to `/readyz` and read its
 * idle RSS. `--entry` runs another build (a before/after). Budget: backlog clear within 60 s of the import,
 * both views under 50 ms once rebuilt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from './ingest.ts';
import { median } from './query.ts';
import { load1 } from './report.ts';
import { type ServerHandle, startServer } from './server-process.ts';
import { buildWorkload, countInRange } from './workload.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
const BACKLOG_TIMEOUT_MS = 600_000;

interface Options {
  observations: number;
  days: number;
  perBody: number;
  connections: number;
  entry?: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { observations: 3_000_000, days: 7, perBody: 10_000, connections: 4 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (flag === '--entry') {
      opts.entry = value ?? '';
      continue;
    }
    const n = Number((value ?? '').replaceAll('_', ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer, got ${value}`);
    if (flag === '--observations') opts.observations = n;
    else if (flag === '--days') opts.days = n;
    else if (flag === '--per-body') opts.perBody = n;
    else if (flag === '--connections') opts.connections = n;
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

/** The pending coarse buckets the server reports on /metrics. */
async function backlog(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = Number(/^pulseboard_rebuild_backlog (\S+)$/m.exec(text)?.[1] ?? Number.NaN);
  if (!Number.isFinite(value)) throw new Error('no pulseboard_rebuild_backlog in /metrics');
  return value;
}

/** Times one overview over the `days`-long window ending at the minute after `end`; returns ms and its count. */
async function overview(baseUrl: string, end: number, spanMs: number): Promise<{ ms: number; count: number }> {
  const to = Math.floor(end / MINUTE) * MINUTE + MINUTE;
  const t0 = performance.now();
  const res = await fetch(`${baseUrl}/api/v1/overview?from=${to - spanMs}&to=${to}`);
  const text = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`overview: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return { ms, count: (JSON.parse(text) as { total: { count: number } }).total.count };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-import-'));
  let server: ServerHandle | null = null;
  const entry = opts.entry ? { entry: opts.entry } : {};
  try {
    console.log(
      `import bench, load ${load1()}: ${opts.observations.toLocaleString('en-US')} observations over ${opts.days} days`,
    );
    const w = buildWorkload({
      observations: opts.observations,
      perBody: opts.perBody,
      end: Date.now(),
      seed: 42,
      marginMs: 0,
      spanMs: opts.days * DAY,
    });
    server = await startServer(dir, 30_000, entry);
    const ing = await ingest(server.baseUrl, w.bodies, w.bodyCounts, opts.connections);
    const imported = performance.now();
    console.log(
      `imported in ${(ing.wallMs / 1000).toFixed(1)} s (${Math.round(ing.obsPerSec).toLocaleString('en-US')} obs/s), ` +
        `server CPU so far ${server.cpuSeconds()?.toFixed(1)} s`,
    );

    // Meanwhile: what the page would see each second until the backlog is the open minute and hour only.
    const during = { hour: [] as number[], day: [] as number[], week: [] as number[] };
    let first = true;
    for (;;) {
      const pending = await backlog(server.baseUrl);
      during.hour.push((await overview(server.baseUrl, w.end, HOUR)).ms);
      const day = await overview(server.baseUrl, w.end, DAY);
      const week = await overview(server.baseUrl, w.end, opts.days * DAY);
      during.day.push(day.ms);
      during.week.push(week.ms);
      const elapsed = performance.now() - imported;
      if (first || pending <= 2)
        console.log(
          `  +${(elapsed / 1000).toFixed(1)} s: backlog ${pending}, 24 h ${fmt(day.ms)}, 7 d ${fmt(week.ms)}`,
        );
      first = false;
      if (pending <= 2) break;
      if (elapsed > BACKLOG_TIMEOUT_MS)
        throw new Error(`backlog still ${pending} after ${BACKLOG_TIMEOUT_MS / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const clearMs = performance.now() - imported;
    const cpu = server.cpuSeconds();

    const after = { day: [] as number[], week: [] as number[] };
    let weekCount = 0;
    for (let i = 0; i < 8; i++) {
      after.day.push((await overview(server.baseUrl, w.end, DAY)).ms);
      const week = await overview(server.baseUrl, w.end, opts.days * DAY);
      after.week.push(week.ms);
      weekCount = week.count;
    }
    const weekTo = Math.floor(w.end / MINUTE) * MINUTE + MINUTE;
    const expected = countInRange(w, Math.ceil((weekTo - opts.days * DAY) / 1000) * 1000, weekTo);
    await server.stop();
    server = null;

    server = await startServer(dir, 120_000, entry);
    const readyMs = server.readyMs;
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idleRss = server.rss() ?? 0;

    console.log(
      `backlog clear ${(clearMs / 1000).toFixed(1)} s after the import (server CPU total ${cpu?.toFixed(1)} s)`,
    );
    console.log(
      `meanwhile (median / max): 1 h ${fmt(median(during.hour))} / ${fmt(Math.max(...during.hour))}, ` +
        `24 h ${fmt(median(during.day))} / ${fmt(Math.max(...during.day))}, ` +
        `7 d ${fmt(median(during.week))} / ${fmt(Math.max(...during.week))}`,
    );
    console.log(
      `once rebuilt (median of 7 after one): 24 h ${fmt(median(after.day.slice(1)))}, 7 d ${fmt(median(after.week.slice(1)))}`,
    );
    console.log(
      `7 d count ${weekCount} of ${expected} sent in that window${weekCount === expected ? '' : ' MISMATCH'}`,
    );
    console.log(
      `restart with the week: /readyz after ${readyMs.toFixed(0)} ms, idle RSS 10 s later ${(idleRss / 2 ** 20).toFixed(1)} MiB`,
    );
    console.log(`load at end ${load1()}`);
  } finally {
    if (server) await server.stop(5_000);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`\nimport bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
