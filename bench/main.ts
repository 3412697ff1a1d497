/**
 * `npm run bench`: the native ingest + query benchmark, the OTLP one and the page one, in turn, each in
 * its own process. `npm run bench -- --peers [...]`: Pulseboard against VictoriaMetrics in the same run
 * (bench/peers/run.ts).
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
if (args.includes('--peers')) {
  process.argv = [...process.argv.slice(0, 2), ...args.filter((a) => a !== '--peers')];
  await import('./peers/run.ts');
} else {
  if (args.length > 0) throw new Error(`npm run bench takes no arguments but --peers (got ${args.join(' ')})`);
  for (const script of ['run.ts', 'otlp.ts', 'page.ts']) {
    const { status } = spawnSync(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname], {
      stdio: 'inherit',
    });
    if (status !== 0) process.exit(status ?? 1);
  }
}
