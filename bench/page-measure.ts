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
  /** Thread time: the part of `dur` the thread was on a core, which a busy machine inflates far less. */
  tdur?: number;
  args?: { name?: string };
}

export interface TaskFigures {
  /** The longest `RunTask` on the renderer's main thread, in wall-clock ms and in that task's CPU ms. */
  longestMs: number;
  longestCpuMs: number;
  /** CPU ms of all its tasks together. */
  cpuMs: number;
  tasks: number;
  over50: number;
}

/** The renderer main thread's tasks in a Chromium trace. */
export function longestTask(trace: Buffer): TaskFigures {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const isMain = (e: TraceEvent) => main.some((m) => m.pid === e.pid && m.tid === e.tid);
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && isMain(e));
  const durations = tasks.map((e) => (e.dur ?? 0) / 1000);
  const cpu = tasks.map((e) => (e.tdur ?? 0) / 1000);
  return {
    longestMs: Math.max(0, ...durations),
    longestCpuMs: Math.max(0, ...cpu),
    cpuMs: cpu.reduce((a, b) => a + b, 0),
    tasks: durations.length,
    over50: durations.filter((d) => d > 50).length,
  };
}
