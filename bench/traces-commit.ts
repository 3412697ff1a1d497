/**
 * `npx tsx bench/traces-commit.ts [--groups 1,4,16,64] [--exports N] [--rounds N]`
 *
 * The main thread's share of trace ingest without HTTP: the exports of bench/traces.ts are folded as a
 * decode worker would (untimed), then handed to a real Aggregator on a fresh SQLite file `group` at a time,
 * each group one commit (series ids resolved, rows merged, upserted, committed). Prints CPU microseconds of
 * this thread per span for each group size, medians over the rounds (groups alternate within a round): CPU
 * time, which a shared machine's load inflates far less than wall time. The first 10 % of the exports warm
 * the store up and are not timed. Group size is what the server's commit cadence decides: one commit takes
 * every request that arrived while the previous one ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aggregator } from '../packages/server/src/aggregate/aggregator.ts';
import { SeriesRegistry } from '../packages/server/src/aggregate/series-registry.ts';
import { parseConfig } from '../packages/server/src/config.ts';
import { directBefore } from '../packages/server/src/core.ts';
import { DEFAULT_LIMITS } from '../packages/server/src/ingest/native/decode.ts';
import { foldTraceExport } from '../packages/server/src/ingest/otlp/traces/off-thread.ts';
import { openSqliteStore } from '../packages/server/src/store/sqlite/sqlite-store.ts';
import { buildExports, SPANS_PER_EXPORT } from './trace-exports.ts';

function parseArgs(argv: string[]) {
  const opts = { groups: [1, 4, 16, 64], exports: 2000, rounds: 3 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i]!, argv[i + 1]];
    const numbers = value.split(',').map(Number);
    if (!numbers.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`${flag} needs positive integers`);
    if (flag === '--groups') opts.groups = numbers;
    else if (flag === '--exports') opts.exports = numbers[0]!;
    else if (flag === '--rounds') opts.rounds = numbers[0]!;
    else throw new Error(`unknown argument ${flag}`);
  }
  return opts;
}

/** CPU microseconds per span of committing `bodies` in groups of `group`, on a fresh store. */
async function commitCost(bodies: Buffer[], group: number): Promise<number> {
  const now = Date.now();
  const limits = { ...DEFAULT_LIMITS, maxAgeMs: 400 * 86_400_000 };
  const context = { now, liveFrom: now - 120_000, directBefore: directBefore(parseConfig([], {}), now), limits };
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-traces-commit-'));
  const store = openSqliteStore(join(dir, 'bench.db'));
  try {
    const config = parseConfig([], {});
    const registry = await SeriesRegistry.load(store.loadSeries(), config);
    const aggregator = new Aggregator({ store, registry, maxPendingObservations: Number.MAX_SAFE_INTEGER });
    const folds = bodies.map((body) => foldTraceExport(body, 'application/x-protobuf', context, []).packed);
    const commitFrom = async (from: number, to: number) => {
      for (let i = from; i < to; i += group) {
        const acks = folds.slice(i, Math.min(i + group, to)).map((fold) => aggregator.submitPacked([fold]));
        await aggregator.flush();
        await Promise.all(acks);
      }
    };
    const warm = Math.floor(folds.length / 10);
    await commitFrom(0, warm);
    const t0 = process.cpuUsage();
    await commitFrom(warm, folds.length);
    // Rows held behind their commits are written too: the work counted is every row in its table.
    store.flushRows();
    const used = process.cpuUsage(t0);
    return (used.user + used.system) / ((folds.length - warm) * SPANS_PER_EXPORT);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const { bodies } = buildExports(opts.exports, Date.now(), '');
  const costs = new Map(opts.groups.map((g) => [g, [] as number[]]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const group of opts.groups) costs.get(group)!.push(await commitCost(bodies, group));
  }
  console.log(`commit share of ${opts.exports} exports, load average ${loadavg()[0]!.toFixed(1)}:`);
  for (const [group, us] of costs) {
    const sorted = [...us].sort((a, b) => a - b);
    const runs = us.map((u) => u.toFixed(2)).join(' ');
    console.log(
      `  ${group} exports a commit: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} us of CPU per span (${runs})`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
