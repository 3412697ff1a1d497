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
import { ingest, NATIVE_TARGET } from '../ingest.ts';
import { median } from '../query.ts';
import { load1, machine } from '../report.ts';
import { startServer } from '../server-process.ts';
import { buildShapes, lineBodies, nativeBodies, type Shapes, VM_METRIC } from './shapes.ts';
import { printTable, type Row } from './table.ts';
import { rebuildsDone, timed } from './timing.ts';
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
  const positive = (flag: string, text: string | undefined): number => {
    const n = Number((text ?? '').replaceAll('_', ''));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer, got ${text}\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.includes('=') ? argv[i]!.split('=', 2) : [argv[i]!, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    if (flag === '--observations') opts.observations = positive(flag, value());
    else if (flag === '--runs') opts.runs = positive(flag, value());
    else if (flag === '--connections') opts.connections = positive(flag, value());
    else if (flag === '--seed') opts.seed = positive(flag, value());
    else if (flag === '--per-body') opts.perBody = (value() ?? '').split(',').map((t) => positive(flag, t));
    else if (flag === '--quick') Object.assign(opts, { observations: 1_000_000, runs: 1 });
    else throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  return opts;
}

/** One system's figures for one data set and body size. */
interface Figures {
  obsPerSec: number;
  peakRssMiB: number;
  /** Server CPU seconds for the ingest, and (Pulseboard) including the coarse-tier rebuilds it caused. */
  cpuSeconds: number;
  cpuWithRebuildsSeconds: number | null;
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
    const result = await ingest(server.baseUrl, bodies, counts, connections, NATIVE_TARGET);
    if (result.accepted !== shapes.count) throw new Error(`Pulseboard accepted ${result.accepted} of ${shapes.count}`);
    const cpuSeconds = (server.cpuSeconds() ?? 0) - cpu0;
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
    await rebuildsDone(server.baseUrl);
    const cpuWithRebuildsSeconds = (server.cpuSeconds() ?? 0) - cpu0;
    return {
      obsPerSec: result.obsPerSec,
      peakRssMiB: (server.peakRss() ?? 0) / 2 ** 20,
      cpuSeconds,
      cpuWithRebuildsSeconds,
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
    const result = await ingest(vm.baseUrl, bodies, counts, connections, LINE_PROTOCOL_TARGET);
    await vm.flush();
    const cpuSeconds = (vm.cpuSeconds() ?? 0) - cpu0;
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
      queries,
    };
  } finally {
    await vm.stop();
  }
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
      const med = (list: Figures[], pick: (f: Figures) => number) => median(list.map(pick));
      const at = `${label}, ${perBody.toLocaleString('en-US')}/request`;
      rows.push({
        figure: `ingest obs/s (${at})`,
        ours: med(ours, (f) => f.obsPerSec),
        theirs: med(theirs, (f) => f.obsPerSec),
        higherIsBetter: true,
      });
      rows.push({
        figure: `peak RSS MiB (${at})`,
        ours: med(ours, (f) => f.peakRssMiB),
        theirs: med(theirs, (f) => f.peakRssMiB),
        higherIsBetter: false,
      });
      rows.push({
        figure: `server CPU s, ingest (${at})`,
        ours: med(ours, (f) => f.cpuSeconds),
        theirs: med(theirs, (f) => f.cpuSeconds),
        higherIsBetter: false,
      });
      rows.push({
        figure: `  ... with 1 min / 1 h rebuilds (${at})`,
        ours: med(ours, (f) => f.cpuWithRebuildsSeconds ?? 0),
        theirs: med(theirs, (f) => f.cpuSeconds),
        higherIsBetter: false,
      });
      if (perBody === opts.perBody[0]) {
        for (const view of VIEWS) {
          rows.push({
            figure: `query ms: ${view} (${label})`,
            ours: med(ours, (f) => f.queries[view]!),
            theirs: med(theirs, (f) => f.queries[view]!),
            higherIsBetter: false,
          });
        }
      }
    }
  }
  console.log('');
  printTable(rows);
}

await main();
