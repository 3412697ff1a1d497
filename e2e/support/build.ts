import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Vitest global setup: the browser tests run against the built page, so build it if it is stale. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, ['--import', 'tsx', 'packages/web/scripts/build-if-stale.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
}
