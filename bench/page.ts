/**
 * `npx tsx bench/page.ts [--seconds N]`: the page budget, measured in headless Chromium against a real server
 * with the demo on (built page; `npm run build` first if it is stale):
 * - time from navigation to the first chart drawn with data, cold (new browser context, empty cache);
 * - the longest main-thread task while the page takes live updates for N seconds (default 30), from a trace;
 * - bytes the cold load transferred (bodies as sent, compressed or not, plus headers) up to that first chart,
 *   in all and for JavaScript alone.
 * Prints the figures and writes bench/out/page.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../e2e/support/browser.ts';
import { startServer } from '../e2e/support/server.ts';
import { firstChartMs as firstChart, longestTask } from './page-measure.ts';
import { transferCounter } from './transfer.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GOALS = { firstChartMs: 1500, longestTaskMs: 50, jsKb: 300 };

const secondsFlag = process.argv.indexOf('--seconds');
const liveSeconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 30;

async function main(): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  process.stdout.write('page bench: starting the server (demo backfill first)...\n');
  const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  try {
    // A first visit warms the server's caches like a user's earlier visit would; the timed load is cold in the browser.
    const warm = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await (await warm.newPage()).goto(server.url);
    await warm.close();

    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const transferred = transferCounter(page);
    await page.goto(server.url, { waitUntil: 'commit' });
    const firstChartMs = await firstChart(page);
    const cold = await transferred();

    await page.waitForTimeout(2_000);
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await page.waitForTimeout(liveSeconds * 1000);
    const tasks = longestTask(await browser.stopTracing());
    const results = {
      firstChartMs: Math.round(firstChartMs),
      ...tasks,
      liveSeconds,
      coldKb: Math.round(cold.totalKb),
      coldRequests: cold.requests,
      jsKb: Math.round(cold.jsKb),
    };

    const line = (name: string, value: string, goal: string, ok: boolean) =>
      `${name.padEnd(34)} ${value.padStart(10)}   goal ${goal.padEnd(9)} ${ok ? 'ok' : 'OVER'}`;
    process.stdout.write(
      [
        line(
          'first chart with data (cold)',
          `${results.firstChartMs} ms`,
          '< 1500 ms',
          results.firstChartMs < GOALS.firstChartMs,
        ),
        line(
          `longest main-thread task (${liveSeconds} s live)`,
          `${results.longestMs.toFixed(1)} ms`,
          '< 50 ms',
          results.longestMs < GOALS.longestTaskMs,
        ),
        line('JavaScript transferred (cold)', `${results.jsKb} KB`, '< 300 KB', results.jsKb < GOALS.jsKb),
        `cold load to the first chart: ${results.coldKb} KB transferred in ${results.coldRequests} responses`,
        `(${results.tasks} tasks traced, ${results.over50} over 50 ms; CPU time of the longest ` +
          `${results.longestCpuMs.toFixed(1)} ms, of all ${Math.round(results.cpuMs)} ms: a busy machine inflates it less)`,
        '',
      ].join('\n'),
    );
    fs.mkdirSync(path.join(ROOT, 'bench/out'), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, 'bench/out/page.json'),
      `${JSON.stringify({ ...results, goals: GOALS }, null, 2)}\n`,
    );
  } finally {
    await browser.close();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`page bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
