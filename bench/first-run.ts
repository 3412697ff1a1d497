/**
 * `npx tsx bench/first-run.ts`: a new user's first start, measured. On a built tree and a fresh database it runs
 * `npm start` (demo on, so the 24 h history backfill runs), opens the page cold in headless Chromium as soon
 * as the port answers, and reports the time from `npm start` to the first chart drawn with data, and whether
 * the backfill was still running then (`/readyz` not yet 200), and the bytes the cold load transferred. Goal:
 * under 2 s.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../e2e/support/browser.ts';
import { freePort } from '../e2e/support/server.ts';
import { transferCounter } from './transfer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOAL_MS = 2000;

async function untilListening(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-first-run-'));
  const [browser, port] = await Promise.all([launchBrowser(), freePort()]);
  const url = `http://127.0.0.1:${port}`;
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  const started = performance.now();
  const args = ['start', '--', '--port', String(port), '--host', '127.0.0.1', '--db', path.join(dir, 'first.db')];
  const child = spawn('npm', args, { cwd: ROOT, stdio: 'ignore', detached: true });
  try {
    await untilListening(`${url}/healthz`, child);
    const listeningMs = performance.now() - started;
    const transferred = transferCounter(page);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForSelector('[data-testid="chart-latency"][data-state="ready"] .recharts-line-curve', {
      timeout: 30_000,
    });
    const firstChartMs = performance.now() - started;
    const backfillRunning = (await fetch(`${url}/readyz`)).status !== 200;
    const cold = await transferred();
    process.stdout.write(
      [
        `listening after npm start            ${Math.round(listeningMs)} ms`,
        `first chart with data after npm start ${Math.round(firstChartMs)} ms   goal < ${GOAL_MS} ms ${firstChartMs < GOAL_MS ? 'ok' : 'OVER'}`,
        `demo backfill still running then      ${backfillRunning ? 'yes' : 'no'}`,
        `cold page load to that chart          ${Math.round(cold.totalKb)} KB in ${cold.requests} responses (JavaScript ${Math.round(cold.jsKb)} KB)`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    // npm start's shell and node share a process group: end them together.
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`first-run bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
