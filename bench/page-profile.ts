/**
 * `npx tsx bench/page-profile.ts [--seconds N]`: where the page's main thread spends a live period. Loads
 * the dashboard in headless Chromium against a demo server, records a trace and a CPU profile (sampled
 * every 100 us) over N live seconds (default 20), and prints the longest tasks with the functions that
 * took most of each, then self time per function over all tasks longer than 16 ms. For readable names,
 * build the page unminified first: `npx vite build packages/web --minify false`. A long task without samples
 * is the profiler's own start or stop, not the page's.
 */
import { launchBrowser } from '../e2e/support/browser.ts';
import { startServer } from '../e2e/support/server.ts';
import { firstChartMs } from './page-measure.ts';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const secondsFlag = process.argv.indexOf('--seconds');
const liveSeconds = secondsFlag >= 0 ? Number(process.argv[secondsFlag + 1]) : 20;
const cold = process.argv.includes('--cold');

function name(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').pop() ?? ''}:${lineNumber + 1}`;
}

/**
 * Time per function name among the samples inside the windows (microseconds): the function on top of the
 * stack only (self), or every function on the stack (inclusive: with everything it called).
 */
function timePerFunction(profile: Profile, inclusive: boolean, windows: [number, number][]): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    if (!windows.some(([from, to]) => t >= from && t < to)) continue;
    const names = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = inclusive ? parent.get(id) : undefined)
      names.add(name(byId.get(id)!));
    for (const key of names) out.set(key, (out.get(key) ?? 0) + dt);
  }
  return out;
}

function top(map: Map<string, number>, n: number): string {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `    ${(us / 1000).toFixed(1).padStart(7)} ms  ${k}`)
    .join('\n');
}

async function main(): Promise<void> {
  const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  try {
    if (cold) {
      const warm = await browser.newContext();
      await (await warm.newPage()).goto(server.url);
      await warm.close();
    }
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    if (cold) {
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await cdp.send('Profiler.start');
      await page.goto(server.url, { waitUntil: 'commit' });
      process.stdout.write(`first chart at ${await firstChartMs(page)} ms\n`);
    } else {
      await page.goto(server.url);
      await firstChartMs(page);
      await page.waitForTimeout(2_000);
      await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      await cdp.send('Profiler.start');
      await page.waitForTimeout(liveSeconds * 1000);
    }
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
    const main = trace.traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
    const isMain = (e: TraceEvent) => main.some((m) => m.pid === e.pid && m.tid === e.tid);
    const tasks = trace.traceEvents
      .filter((e) => e.name === 'RunTask' && e.ph === 'X' && isMain(e))
      .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
    process.stdout.write(`${tasks.length} tasks in ${cold ? 'the cold load' : `${liveSeconds} s`}; longest:\n`);
    for (const task of tasks.slice(0, 5)) {
      process.stdout.write(`  task ${((task.dur ?? 0) / 1000).toFixed(1)} ms\n`);
      const window: [number, number][] = [[task.ts, task.ts + (task.dur ?? 0)]];
      process.stdout.write(`${top(timePerFunction(profile, false, window), 8)}\n`);
      // Components (PascalCase names) on the stack tell which chart the task was rendering.
      const components = new Map(
        [...timePerFunction(profile, true, window)].filter(([k]) => /^[A-Z][a-z]\w+ /.test(k)),
      );
      process.stdout.write(`   components:\n${top(components, 12)}\n`);
    }
    const long = tasks.filter((t) => (t.dur ?? 0) > 16_000).map((t): [number, number] => [t.ts, t.ts + (t.dur ?? 0)]);
    process.stdout.write(
      `inclusive time over the ${long.length} tasks longer than 16 ms:\n${top(timePerFunction(profile, true, long), 60)}\n`,
    );
    const inclusive = timePerFunction(profile, true, long);
    process.stdout.write(
      `components and the page's own functions (inclusive) over those tasks:\n${top(
        new Map([...inclusive].filter(([k]) => /^[A-Z][a-z]\w+ /.test(k) || / index-[\w-]+\.js:/.test(k))),
        40,
      )}\n`,
    );
    process.stdout.write(
      `self time over the ${long.length} tasks longer than 16 ms:\n${top(timePerFunction(profile, false, long), 25)}\n`,
    );
    process.stdout.write(
      `self time over the whole period:\n${top(timePerFunction(profile, false, [[0, Number.POSITIVE_INFINITY]]), 25)}\n`,
    );
  } finally {
    await browser.close();
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
