/**
 * `npx tsx bench/peers/rebuild-views.ts [--observations N] [--hours-ago N] [--entry FILE]`
 *
 * The RED views of the peers bench (bench/peers/run.ts) on Pulseboard alone, at more moments: the peers'
 * hour of observations (ending `--hours-ago` hours before the current minute, default 0) is sent to a fresh
 * server, then its hour by service and by route is timed at once (while the 1 min / 1 h rollups are being
 * rebuilt; the backlog is printed with it), and again once rebuilt, with the 24 h and 7 d views by service and
 * by route; then with late data: before each call one request per service lands in minutes 10, 30 and 50 of
 * the hour, keeping those minutes (and their hours) dirty. Each figure is the median of 5 calls after a
 * warm-up, printed with the load average. `--entry`
 * runs another build (a before/after); BENCH_CPU_PROFILE=DIR writes the server's CPU profile there,
 * BENCH_KEEP=1 keeps the database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest, NATIVE_TARGET } from '../ingest.ts';
import { median, rebuildBacklog, waitForRebuilds } from '../query.ts';
import { startServer } from '../server-process.ts';
import { buildShapes, METRIC, nativeBodies, routeName, SERVICES, serviceName } from './shapes.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function parseArgs(argv: string[]): { observations: number; hoursAgo: number; entry?: string } {
  const opts: { observations: number; hoursAgo: number; entry?: string } = { observations: 1_000_000, hoursAgo: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ''];
    if (flag === '--entry') opts.entry = value;
    else if (flag === '--observations') opts.observations = Number(value.replaceAll('_', ''));
    else if (flag === '--hours-ago') opts.hoursAgo = Number(value);
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

const load = () => loadavg()[0]!.toFixed(2);

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const end = Math.floor(Date.now() / MINUTE) * MINUTE - opts.hoursAgo * HOUR;
  const shapes = buildShapes(opts.observations, end - HOUR, 42);
  const { bodies, counts } = nativeBodies(shapes, 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-rebuild-views-'));
  const server = await startServer(dir, 30_000, opts.entry ? { entry: opts.entry } : {});
  try {
    const result = await ingest(server.baseUrl, bodies, counts, 4, NATIVE_TARGET);
    if (result.accepted !== shapes.count) throw new Error(`accepted ${result.accepted} of ${shapes.count}`);
    /** Times a RED view; `before` runs ahead of each call, untimed. */
    const view = async (
      label: string,
      from: number,
      to: number,
      maxPoints: number,
      byRoute: boolean,
      before = async () => {},
    ) => {
      const query = `/api/v1/red?from=${from}&to=${to}&maxPoints=${maxPoints}${byRoute ? '&groupBy=route' : ''}`;
      const backlog = await rebuildBacklog(server.baseUrl);
      const times: number[] = [];
      for (let i = 0; i <= 5; i++) {
        await before();
        const t0 = performance.now();
        const res = await fetch(`${server.baseUrl}${query}`);
        if (!res.ok) throw new Error(`${query}: HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        if (i > 0) times.push(performance.now() - t0);
      }
      const ms = median(times);
      console.log(`${label.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  (backlog ${backlog}, load ${load()})`);
    };
    const late = async () => {
      const metrics = Array.from({ length: SERVICES }, (_, s) => ({
        service: serviceName(s),
        name: METRIC,
        type: 'histogram',
        unit: 'ms',
        attributes: { 'http.route': routeName(0), 'http.response.status_code': 200 },
        points: [10, 30, 50].map((minute) => [shapes.start + minute * MINUTE + 1, 20]),
      }));
      const res = await fetch(`${server.baseUrl}/api/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ metrics }),
      });
      if (res.status !== 202) throw new Error(`late data: HTTP ${res.status}: ${await res.text()}`);
    };
    const hour = [shapes.start, shapes.start + HOUR] as const;
    await view('hour by service, rebuilding', ...hour, 60, false);
    await view('hour by route, rebuilding', ...hour, 60, true);
    // The open hour's bucket is rebuilt only once the hour is over.
    await waitForRebuilds(server.baseUrl, opts.hoursAgo === 0 ? 1 : 0);
    await view('hour by service, rebuilt', ...hour, 60, false);
    await view('hour by route, rebuilt', ...hour, 60, true);
    const now = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
    for (const [label, span] of [
      ['24 h', DAY],
      ['7 d', 7 * DAY],
    ] as const) {
      await view(`${label} by service, rebuilt`, now - span, now, 300, false);
      await view(`${label} by route, rebuilt`, now - span, now, 300, true);
    }
    await view('hour by service, late data', ...hour, 60, false, late);
    await view('hour by route, late data', ...hour, 60, true, late);
    await view('24 h by service, late data', now - DAY, now, 300, false, late);
    await view('24 h by route, late data', now - DAY, now, 300, true, late);
  } finally {
    await server.stop();
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
