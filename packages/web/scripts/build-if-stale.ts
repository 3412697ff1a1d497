/**
 * `npm start` runs this first: builds the page when `dist/` is missing or older than its sources, so a fresh
 * clone serves the dashboard after `npm install && npm start`, and later starts skip the build (a few ms).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const sources = [
  path.join(web, 'src'),
  path.join(web, 'index.html'),
  path.join(web, 'vite.config.ts'),
  path.join(web, 'package.json'),
  path.join(web, '../shared/src'),
];

function newest(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(file).map((name) => newest(path.join(file, name))));
}

const built = fs.statSync(path.join(web, 'dist/index.html'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (built < Math.max(...sources.map(newest))) {
  process.stdout.write('pulseboard: building the dashboard (packages/web)...\n');
  // Explicit: a caller's NODE_ENV (vitest sets `test`) would otherwise give React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: web, stdio: 'inherit', env });
  process.exit(result.status ?? 1);
}
