import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openPage } from './support/browser.ts';
import { SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

const session = browserSession();

/** Whether the page scrolls sideways: the document wider than the viewport. */
const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Tables wider than their panel, which hide their right-hand columns behind a sideways scroll. */
const cutTables = (page: Page) =>
  page.$$eval('.table-scroll', (els) =>
    els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.closest('section')?.dataset.testid ?? '?'),
  );

/** The colour each throughput legend entry is drawn in, by service. */
const legendColours = (page: Page) =>
  page.$$eval('[data-testid="chart-throughput"] .recharts-legend-item-text', (els) =>
    Object.fromEntries(els.map((e) => [e.textContent, getComputedStyle(e).color])),
  );

async function sendRequests(url: string, service: string): Promise<void> {
  const now = Date.now();
  const points = Array.from({ length: 20 }, (_, i) => [now - 60_000 + i * 3000, 5 + i]);
  const res = await fetch(`${url}/api/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      metrics: [{ service, name: 'http.server.request.duration', type: 'histogram', unit: 'ms', points }],
    }),
  });
  expect(res.status).toBe(202);
}

describe('layout, colours and numbers in a real browser', () => {
  it('fits a 390 px phone screen without sideways scrolling', async () => {
    const { page, errors } = await openPage(session.browser, 390, 844);
    await page.goto(`${session.server.url}/`);
    await waitForCharts(page);
    await page.waitForSelector('[data-testid="stat-cards"][data-state="ready"]');
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: `${SHOTS}phone-overview.png`, fullPage: true });

    await page.goto(`${session.server.url}/services/payment-service`);
    await waitForCharts(page, ['chart-latency', 'chart-throughput', 'chart-errors', 'chart-metric']);
    await page.waitForSelector('[data-testid="routes-table"] tbody tr');
    expect(await sideways(page)).toBe(false);
    expect(await cutTables(page)).toEqual([]);
    await page.screenshot({ path: `${SHOTS}phone-service.png`, fullPage: true });

    await page.goto(`${session.server.url}/rules`);
    await page.waitForSelector('[data-testid="rule-row"]');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByTestId('rule-editor').waitFor();
    expect(await sideways(page)).toBe(false);
    await page.screenshot({ path: `${SHOTS}phone-rules.png`, fullPage: true });
    expect(unexpected(errors)).toEqual([]);
    await page.context().close();
  });

  it('keeps a service colour when another service appears, and in both themes', async () => {
    const page = session.page;
    await page.goto(`${session.server.url}/?from=now-15m`);
    await waitForCharts(page);
    const before = await legendColours(page);
    expect(Object.keys(before)).toContain('payment-service');

    // A service whose name sorts first: with colours by place in a list, every other service would shift.
    await sendRequests(session.server.url, 'aaa-new-service');
    await page.reload();
    await waitForCharts(page);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="chart-throughput"] .recharts-legend-item-text')].some(
        (e) => e.textContent === 'aaa-new-service',
      ),
    );
    const after = await legendColours(page);
    for (const [service, colour] of Object.entries(before)) expect(after[service], service).toBe(colour);

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    const light = await legendColours(page);
    for (const [service, colour] of Object.entries(after)) expect(light[service], service).toBe(colour);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  });

  it('shows all services together from the server merge, not an approximation', async () => {
    const page = session.page;
    const redUrls: string[] = [];
    const onRequest = (request: { url(): string }) => {
      if (request.url().includes('/api/v1/red?')) redUrls.push(request.url());
    };
    page.on('request', onRequest);
    await page.goto(`${session.server.url}/`);
    await waitForCharts(page);
    page.off('request', onRequest);
    expect(await page.textContent('body')).not.toContain('approx');
    const picker = page.getByLabel('Response time of');
    expect(await picker.locator('option').first().textContent()).toBe('All selected services');
    // The charts of all services ask the server for its merge of them.
    const charts = redUrls.filter((u) => !u.includes('groupBy'));
    expect(charts.length).toBeGreaterThan(0);
    for (const url of charts) expect(new URL(url).searchParams.get('total')).toBe('true');
    // The p99 card's second line is the window's figure (the overview's total: merged on the server).
    await page.waitForSelector('[data-testid="stat-cards"][data-state="ready"]');
    expect(await page.textContent('[data-testid="stat-p99 latency"] [data-testid="stat-window"]')).toMatch(
      /^1h: [\d.]+ (ms|s)/,
    );
  });

  it('logged no console errors', () => {
    expect(unexpected(session.errors)).toEqual([]);
  });
});
