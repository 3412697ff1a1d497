/**
 * `npm run bench`: the native ingest + query benchmark, the OTLP one and the page one, in turn, each in
 * its own process. `npm run bench -- --peers [...]`: Pulseboard against VictoriaMetrics in the same run
 * (bench/peers/run.ts). `npm run bench -- --soak 10m`: the server under steady load and attackers for that long,
 * RSS and latency every 10 s (bench/soak/run.ts). `npm run bench -- --fanout [--clients N] [--duration 60s]`: 1,000 live
 * clients on a demo server, frame lateness, CPU and RSS, then with 20 stalled clients alongside (bench/fanout/run.ts).
 * `npm run bench -- --import [...]`: a week of history sent oldest first, then how long until its coarse tiers are
 * rebuilt, the 24 h and 7 d views meanwhile and after, and a restart on it (bench/import.ts).
 * `npm run bench -- --store postgres [--observations N]`: ingest and query on SQLite, PostgreSQL and two
 * instances on one PostgreSQL database, in one run (bench/store/run.ts).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--peers')) {
  process.argv = [...process.argv.slice(0, 2), ...args.filter((a) => a !== '--peers')];
  await import('./peers/run.ts');
} else if (args.includes('--store')) {
  await import('./store/run.ts');
} else if (args.includes('--fanout')) {
  process.argv = [...process.argv.slice(0, 2), ...args.filter((a) => a !== '--fanout')];
  await import('./fanout/run.ts');
} else if (args.includes('--import')) {
  process.argv = [...process.argv.slice(0, 2), ...args.filter((a) => a !== '--import')];
  await import('./import.ts');
} else if (args[0] === '--soak') {
  if (args.length !== 2) throw new Error('npm run bench -- --soak takes one duration, e.g. --soak 10m');
  process.argv = [...process.argv.slice(0, 2), args[1]!];
  await import('./soak/run.ts');
} else {
  if (args.length > 0)
    throw new Error(
      `npm run bench takes no arguments but --peers, --fanout, --import, --store postgres or --soak DURATION (got ${args.join(' ')})`,
    );
  for (const script of ['run.ts', 'otlp.ts', 'page.ts']) {
    const { status } = spawnSync(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname], {
      stdio: 'inherit',
    });
    if (status !== 0) process.exit(status ?? 1);
  }
}
