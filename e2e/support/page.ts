import type { Page } from 'playwright-core';

export const SHOTS = new URL('../../.screenshots/', import.meta.url).pathname;

/** Facts a chart frame exposes as data-* attributes. */
export async function chartFacts(page: Page, testId: string) {
  return page.$eval(`[data-testid="${testId}"]`, (el) => ({
    state: el.getAttribute('data-state'),
    points: Number(el.getAttribute('data-points')),
    firstT: Number(el.getAttribute('data-first-t')),
    lastT: Number(el.getAttribute('data-last-t')),
    step: Number(el.getAttribute('data-step')),
    rows: Number(el.getAttribute('data-rows')),
  }));
}

export const CHARTS = ['chart-latency', 'chart-throughput', 'chart-errors', 'chart-health'] as const;

/** Waits until every listed chart has loaded and has data. */
export async function waitForCharts(page: Page, ids: readonly string[] = CHARTS, timeout = 20_000): Promise<void> {
  for (const id of ids) await page.waitForSelector(`[data-testid="${id}"][data-state="ready"]`, { timeout });
}

/**
 * Console errors, less the expected: with `outage`, the browser's own messages about failed connections
 * while the server was stopped on purpose.
 */
export function unexpected(errors: { text: string; url: string }[], options: { outage?: boolean } = {}): string[] {
  return errors
    .filter((e) => !(options.outage && /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED/.test(e.text)))
    .map((e) => e.text);
}
