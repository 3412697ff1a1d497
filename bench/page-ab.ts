/**
 * `npx tsx bench/page-ab.ts DIST_A DIST_B [--runs N] [--seconds S]`: compares two builds of the page (each a
 * `vite build` output directory) against one demo server in the same minutes, alternating A and B, so a busy
 * machine slows both alike. Each run is a cold load (new browser context) timed to the first chart with data,
 * as `bench/page.ts` does, then S live seconds (default 10; 0 skips) traced for the longest main-thread task.
 * The page's files are served from the chosen directory by request interception (uncompressed, for both);
 * the API and the live socket are the real server's. Prints each run and the medians.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { BROWSER_ARGS, CHROMIUM } from '../e2e/support/browser.ts';
import { startServer } from '../e2e/support/server.ts';
import { firstChartMs, longestTask } from './page-measure.ts';

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const dirs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const runs = flag('--runs', 5);
const liveSeconds = flag('--seconds', 10);
const waterfall = process.argv.includes('--waterfall');

const TRACE = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html; charset=utf-8',
};

/** Serves `/` and `/assets/*` from `dir`; the server's own index supplies the config tag and headers. */
async function serveFrom(page: Page, dir: string): Promise<void> {
  await page.route(/\/assets\//, async (route) => {
    const file = path.join(dir, 'assets', new URL(route.request().url()).pathname.replace(/^\/assets\//, ''));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404 });
    return route.fulfill({ body: fs.readFileSync(file), contentType: TYPES[path.extname(file)] ?? 'text/plain' });
  });
  await page.route(/^https?:\/\/[^/]+\/(\?.*)?$/, async (route) => {
    const response = await route.fetch();
    const served = await response.text();
    const config = /<meta name="pulseboard-config"[^>]*>/.exec(served)?.[0] ?? '';
    const body = fs.readFileSync(path.join(dir, 'index.html'), 'utf8').replace('</head>', `${config}</head>`);
    return route.fulfill({ response, body });
  });
}

/** The page's requests that started before `until` (ms since navigation): start, end, duration, path. */
async function requestsBefore(page: Page, until: number): Promise<string> {
  // The page's `PerformanceResourceTiming`, which the bench's Node types do not know.
  const entries = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((e) => ({ name: e.name, start: e.startTime, end: (e as unknown as { responseEnd: number }).responseEnd })),
  );
  const ms = (n: number) => n.toFixed(0).padStart(6);
  return entries
    .filter((e) => e.start < until)
    .map((e) => `  ${ms(e.start)} ${ms(e.end)} ${ms(e.end - e.start)}  ${e.name.replace(/^\w+:\/\/[^/]+/, '')}\n`)
    .join('');
}

async function run(browser: Browser, url: string, dir: string) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  try {
    const page = await context.newPage();
    await serveFrom(page, dir);
    await browser.startTracing(page, { categories: TRACE });
    await page.goto(url, { waitUntil: 'commit' });
    const first = await firstChartMs(page);
    const load = longestTask(await browser.stopTracing());
    if (waterfall) process.stdout.write(await requestsBefore(page, first));
    const result = { first, loadCpu: load.cpuMs, longest: Number.NaN, longestCpu: Number.NaN, liveCpu: Number.NaN };
    if (liveSeconds === 0) return result;
    await page.waitForTimeout(2_000);
    await browser.startTracing(page, { categories: TRACE });
    await page.waitForTimeout(liveSeconds * 1000);
    const live = longestTask(await browser.stopTracing());
    return { ...result, longest: live.longestMs, longestCpu: live.longestCpuMs, liveCpu: live.cpuMs };
  } finally {
    await context.close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  if (dirs.length < 2) throw new Error('usage: page-ab.ts DIST_A DIST_B [--runs N] [--seconds S]');
  // A document served by interception counts as a public page, which Chromium's local network checks stop from
  // opening the live socket to 127.0.0.1.
  const args = [...BROWSER_ARGS, '--disable-features=LocalNetworkAccessChecks'];
  const [server, browser] = await Promise.all([startServer(), chromium.launch({ executablePath: CHROMIUM, args })]);
  try {
    await run(browser, server.url, dirs[0]!); // warms the server's caches, as bench/page.ts does
    type Run = Awaited<ReturnType<typeof run>>;
    const results = dirs.map((): Run[] => []);
    const figures = (r: Run) =>
      `first chart ${r.first.toFixed(0)} ms (main-thread CPU ${r.loadCpu.toFixed(0)} ms until then); live: longest ` +
      `task ${r.longest.toFixed(1)} ms (its CPU ${r.longestCpu.toFixed(1)} ms), main-thread CPU ${r.liveCpu.toFixed(0)} ms`;
    for (let i = 0; i < runs; i++) {
      for (const [k, dir] of dirs.entries()) {
        const r = await run(browser, server.url, dir);
        results[k]!.push(r);
        process.stdout.write(`run ${i} ${'AB'[k] ?? k}: ${figures(r)}\n`);
      }
    }
    for (const [k, dir] of dirs.entries()) {
      const rs = results[k]!;
      const med = (key: keyof Run) => median(rs.map((r) => r[key]));
      const all = (key: keyof Run) => rs.map((r) => r[key].toFixed(0)).join(', ');
      const medians = { first: med('first'), loadCpu: med('loadCpu'), longest: med('longest') };
      process.stdout.write(
        `${'AB'[k] ?? k} ${dir} medians: ${figures({ ...medians, longestCpu: med('longestCpu'), liveCpu: med('liveCpu') })}\n` +
          `  first chart [${all('first')}], load CPU [${all('loadCpu')}], longest task [${all('longest')}]\n`,
      );
    }
  } finally {
    await browser.close();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`page A/B failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
