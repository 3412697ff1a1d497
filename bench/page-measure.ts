/** Shared by the page benches: the first chart with data, and the longest main-thread task in a trace. */
import type { Page } from 'playwright-core';

/** What the bench reads of the page's globals (bench code is typed for Node, not the DOM). */
interface PageGlobals {
  document: { querySelector(selector: string): unknown };
}

/** ms from navigation until the response-time chart has drawn a line with data. */
export async function firstChartMs(page: Page): Promise<number> {
  // A function, not a string: the page's Content-Security-Policy forbids evaluating strings. It runs in the
  // page, whose `document` the bench's Node types do not know.
  const handle = await page.waitForFunction(
    () =>
      (globalThis as unknown as PageGlobals).document.querySelector(
        '[data-testid="chart-latency"][data-state="ready"] .recharts-line-curve',
      )
        ? performance.now()
        : false,
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return Math.round(Number(await handle.jsonValue()));
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  args?: { name?: string };
}

/** Longest `RunTask` on the renderer's main thread, in ms. */
export function longestTask(trace: Buffer): { longestMs: number; tasks: number; over50: number } {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const isMain = (e: TraceEvent) => main.some((m) => m.pid === e.pid && m.tid === e.tid);
  const durations = events
    .filter((e) => e.name === 'RunTask' && e.ph === 'X' && isMain(e))
    .map((e) => (e.dur ?? 0) / 1000);
  return {
    longestMs: Math.max(0, ...durations),
    tasks: durations.length,
    over50: durations.filter((d) => d > 50).length,
  };
}
