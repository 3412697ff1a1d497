/**
 * `npm run bench -- --peers [--observations N] [--runs N] [--per-body N,N] [--connections N] [--seed N]`
 *
 * Pulseboard and VictoriaMetrics measured in the same run, one at a time, on the same observations
 * (bench/peers/shapes.ts), each in its best format, each on a fresh data directory: ingest rate, peak RSS,
 * and the RED views per service and per route per minute over the hour. Two data sets: the last hour, and
 * the hour that ended 2 h ago (late data). Figures are medians of `--runs`; the order of the two systems
 * alternates between runs. No peer figure is a constant.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../flags.ts';
import { ingest, NATIVE_TARGET } from '../ingest.ts';
import { median, waitForRebuilds } from '../query.ts';
import { load1, machine } from '../report.ts';
import { startServer } from '../server-process.ts';
import { buildShapes, lineBodies, nativeBodies, type Shapes, VM_METRIC } from './shapes.ts';
import { printTable, type Row } from './table.ts';
import { timed } from './timing.ts';
import { ensureVictoriaMetrics, LINE_PROTOCOL_TARGET, startVictoria } from './victoria.ts';

interface Options {
  observations: number;
  runs: number;
  perBody: number[];
  connections: number;
  seed: number;
}

const USAGE =
  'usage: npm run bench -- --peers [--observations N] [--runs N] [--per-body N,N] [--connections N] [--seed N] [--quick]';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const QUERY_RUNS = 5;

function parseArgs(argv: string[]): Options {
  const opts: Options = { observations: 10_000_000, runs: 3, perBody: [10_000, 1_000], connections: 4, seed: 42 };
  parseFlags(argv, USAGE, {
    '--observations': (v) => (opts.observations = v.positive()),
    '--runs': (v) => (opts.runs = v.positive()),
    '--connections': (v) => (opts.connections = v.positive()),
    '--seed': (v) => (opts.seed = v.positive()),
    '--per-body': (v) => (opts.perBody = v.positives()),
    '--quick': () => Object.assign(opts, { observations: 1_000_000, runs: 1 }),
  });
  return opts;
}

/** One figure of one run, read off its `Figures`. */
type Pick = (f: Figures) => number;

/** One system's figures for one data set and body size. */
interface Figures {
  obsPerSec: number;
  peakRssMiB: number;
  /** Server CPU seconds for the ingest, and (Pulseboard) including the coarse-tier rebuilds it caused. */
  cpuSeconds: number;
  cpuWithRebuildsSeconds: number | null;
  /** MB the server passed to write calls (its database files, mostly), likewise with and without rebuilds. */
  writtenMB: number;
  writtenWithRebuildsMB: number | null;
  queries: Record<string, number>;
}

const VIEWS = [
  'percentiles by service',
  'requests by service',
  'error share by service',
  'percentiles by route',
  'requests by route',
  'error share by route',
] as const;

async function runPulseboard(shapes: Shapes, perBody: number, connections: number): Promise<Figures> {
  const { bodies, counts } = nativeBodies(shapes, perBody);
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-peer-'));
  const server = await startServer(dir);
  try {
    const cpu0 = server.cpuSeconds() ?? 0;
    const written0 = server.writtenBytes() ?? 0;
    const result = await ingest(server.baseUrl, bodies, counts, connections, NATIVE_TARGET);
    if (result.accepted !== shapes.count) throw new Error(`Pulseboard accepted ${result.accepted} of ${shapes.count}`);
    const cpuSeconds = (server.cpuSeconds() ?? 0) - cpu0;
    const writtenMB = ((server.writtenBytes() ?? 0) - written0) / 1e6;
    const queries: Record<string, number> = {};
    const window = `from=${shapes.start}&to=${shapes.start + HOUR}&maxPoints=60`;
    // One `red` call answers percentiles, requests and error share at once: its time counts for each.
    for (const [by, query] of [
      ['service', `/api/v1/red?${window}`],
      ['route', `/api/v1/red?${window}&groupBy=route`],
    ] as const) {
      const ms = await timed(QUERY_RUNS, async () => {
        const res = await fetch(`${server.baseUrl}${query}`);
        if (!res.ok) throw new Error(`Pulseboard ${query}: HTTP ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      });
      for (const what of ['percentiles', 'requests', 'error share']) queries[`${what} by ${by}`] = ms;
    }
    // Every closed 1 min / 1 h bucket rebuilt; the hour still open, when it holds data, cannot be yet.
    const openHour = Math.floor(Date.now() / HOUR) * HOUR;
    await waitForRebuilds(server.baseUrl, shapes.start + HOUR > openHour ? 1 : 0);
    const cpuWithRebuildsSeconds = (server.cpuSeconds() ?? 0) - cpu0;
    const writtenWithRebuildsMB = ((server.writtenBytes() ?? 0) - written0) / 1e6;
    return {
      obsPerSec: result.obsPerSec,
      peakRssMiB: (server.peakRss() ?? 0) / 2 ** 20,
      cpuSeconds,
      cpuWithRebuildsSeconds,
      writtenMB,
      writtenWithRebuildsMB,
      queries,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runVictoria(shapes: Shapes, perBody: number, connections: number): Promise<Figures> {
  const { bodies, counts } = lineBodies(shapes, perBody);
  const vm = await startVictoria();
  try {
    const cpu0 = vm.cpuSeconds() ?? 0;
    const written0 = vm.writtenBytes() ?? 0;
    const result = await ingest(vm.baseUrl, bodies, counts, connections, LINE_PROTOCOL_TARGET);
    await vm.flush();
    const cpuSeconds = (vm.cpuSeconds() ?? 0) - cpu0;
    // VictoriaMetrics keeps the newest rows in memory (searchable after the flush) and writes them to disk
    // within seconds: count its writes once they have stopped.
    const writtenMB = ((await settledWrites(() => vm.writtenBytes() ?? 0)) - written0) / 1e6;
    const m = VM_METRIC;
    const queries: Record<string, number> = {};
    for (const by of ['service', 'route'] as const) {
      const group = by === 'service' ? 'service' : 'service, route';
      const text: Record<string, string> = {
        percentiles: `histogram_quantiles("phi", 0.5, 0.95, 0.99, sum by (${group}, vmrange) (histogram_over_time(${m}[1m])))`,
        requests: `sum by (${group}) (count_over_time(${m}[1m]))`,
        'error share': `sum by (${group}) (count_over_time(${m}{status=~"5.."}[1m])) / sum by (${group}) (count_over_time(${m}[1m]))`,
      };
      for (const [what, query] of Object.entries(text)) {
        queries[`${what} by ${by}`] = await timed(QUERY_RUNS, async () => {
          await vm.rangeQuery(query, shapes.start + MINUTE, shapes.start + HOUR, 60);
        });
      }
    }
    return {
      obsPerSec: result.obsPerSec,
      peakRssMiB: (vm.peakRss() ?? 0) / 2 ** 20,
      cpuSeconds,
      cpuWithRebuildsSeconds: null,
      writtenMB,
      writtenWithRebuildsMB: null,
      queries,
    };
  } finally {
    await vm.stop();
  }
}

/**
 * The byte count once it has not grown for 3 s, waiting at least 10 s (VictoriaMetrics wrote 3.6 MB of 3 M
 * observations 3.5 s after its flush, nothing before) and at most 60 s.
 */
async function settledWrites(written: () => number): Promise<number> {
  const started = performance.now();
  let last = written();
  let still = 0;
  while ((still < 6 || performance.now() - started < 10_000) && performance.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 500));
    const now = written();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const vmVersion = ensureVictoriaMetrics();
  const ours = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
  ).version;
  const m = machine();
  console.log(`Pulseboard vs VictoriaMetrics  ${new Date().toISOString()}`);
  console.log(`machine: ${m.cores} cores (${m.cpu}), node ${m.node}, load average ${load1().toFixed(2)}`);
  console.log(`versions: Pulseboard ${ours ?? 'main'}, VictoriaMetrics ${vmVersion} (Debian)`);
  console.log(
    `${opts.observations.toLocaleString('en-US')} observations per data set, ${opts.connections} connections, medians of ${opts.runs} runs\n`,
  );
  const end = Math.floor(Date.now() / MINUTE) * MINUTE;
  const rows: Row[] = [];
  for (const [label, start] of [
    ['last hour', end - HOUR],
    ['hour ended 2 h ago', end - 3 * HOUR],
  ] as const) {
    const shapes = buildShapes(opts.observations, start, opts.seed);
    for (const perBody of opts.perBody) {
      const ours: Figures[] = [];
      const theirs: Figures[] = [];
      for (let run = 0; run < opts.runs; run++) {
        // Alternate who goes first, so drift on a noisy machine does not favour one side.
        if (run % 2 === 0) {
          ours.push(await runPulseboard(shapes, perBody, opts.connections));
          theirs.push(await runVictoria(shapes, perBody, opts.connections));
        } else {
          theirs.push(await runVictoria(shapes, perBody, opts.connections));
          ours.push(await runPulseboard(shapes, perBody, opts.connections));
        }
        console.log(
          `  ${label}, ${perBody}/request, run ${run + 1}: ${Math.round(ours.at(-1)!.obsPerSec)} vs ${Math.round(theirs.at(-1)!.obsPerSec)} obs/s`,
        );
      }
      const at = `${label}, ${perBody.toLocaleString('en-US')}/request`;
      // One row per figure: the medians of each side's runs; `theirs` defaults to the same figure.
      const row = (figure: string, higherIsBetter: boolean, pick: Pick, theirPick: Pick = pick) =>
        rows.push({ figure, ours: median(ours.map(pick)), theirs: median(theirs.map(theirPick)), higherIsBetter });
      row(`ingest obs/s (${at})`, true, (f) => f.obsPerSec);
      row(`peak RSS MiB (${at})`, false, (f) => f.peakRssMiB);
      // VictoriaMetrics has no rebuilds: its plain figure stands beside ours with them.
      row(`server CPU s, ingest (${at})`, false, (f) => f.cpuSeconds);
      row(
        `  ... with 1 min / 1 h rebuilds (${at})`,
        false,
        (f) => f.cpuWithRebuildsSeconds ?? 0,
        (f) => f.cpuSeconds,
      );
      row(`MB written by the server (${at})`, false, (f) => f.writtenMB);
      row(
        `  ... with 1 min / 1 h rebuilds (${at})`,
        false,
        (f) => f.writtenWithRebuildsMB ?? 0,
        (f) => f.writtenMB,
      );
      if (perBody === opts.perBody[0]) {
        for (const view of VIEWS) row(`query ms: ${view} (${label})`, false, (f) => f.queries[view]!);
      }
    }
  }
  console.log('');
  printTable(rows);
}

await main();
