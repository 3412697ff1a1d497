import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleError, launchBrowser, openPage } from './support/browser.ts';
import { chartFacts, SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let browser: Browser;
let page: Page;
let errors: ConsoleError[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  ({ page, errors } = await openPage(browser));
});

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('live connection loss', () => {
  it('shows a banner while the server is down, then backfills the gap with one red call', async () => {
    await page.goto(`${server.url}/?from=now-5m`);
    await waitForCharts(page);
    // Let a few live seconds arrive so the page has a cursor.
    const start = await chartFacts(page, 'chart-throughput');
    await page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) > t,
      start.lastT,
    );
    const redCalls: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/v1/red') redCalls.push(url);
    });

    await server.stop();
    await page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('connection-banner').textContent()).toContain('Live connection lost');
    await page.screenshot({ path: `${SHOTS}connection-banner.png` });
    await page.waitForTimeout(3_000);
    await server.restart();

    await page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    const resumed = Date.now();
    await page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) >= t,
      Math.floor(resumed / 1000) * 1000,
      { timeout: 10_000 },
    );
    // Exactly one backfill (1 s steps from the last cursor); the charts did not reload.
    expect(redCalls).toHaveLength(1);
    const backfill = redCalls[0]!;
    const from = Number(backfill.searchParams.get('from'));
    const to = Number(backfill.searchParams.get('to'));
    expect(to - from).toBeGreaterThanOrEqual(3_000);
    expect(Number(backfill.searchParams.get('maxPoints'))).toBe((to - from) / 1000);

    // Every bucket from before the outage to now is there: no hole.
    for (const id of ['chart-latency', 'chart-throughput']) {
      const facts = await chartFacts(page, id);
      expect(facts.points).toBe((facts.lastT - facts.firstT) / facts.step + 1);
      expect(facts.firstT).toBeLessThan(from);
    }
    expect(unexpected(errors, { outage: true })).toEqual([]);
  });
});
