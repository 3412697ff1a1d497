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

describe('dashboard in a real browser', () => {
  it('shows every overview view filled with demo data', async () => {
    await page.goto(`${server.url}/`);
    await waitForCharts(page);
    for (const id of ['chart-latency', 'chart-throughput', 'chart-errors']) {
      expect((await chartFacts(page, id)).points).toBeGreaterThan(10);
    }
    expect((await chartFacts(page, 'chart-health')).rows).toBe(5);
    await page.waitForSelector('[data-testid="stat-cards"][data-state="ready"]');
    for (const label of ['Requests/s', 'Error rate', 'p50 latency', 'p95 latency', 'p99 latency', 'CPU', 'Memory']) {
      const value = await page.textContent(`[data-testid="stat-${label}"] .stat-value`);
      expect(value, label).toMatch(/\d/);
    }
    // The three time charts draw paths or bars, not just axes.
    expect(await page.$$eval('[data-testid="chart-latency"] .recharts-line-curve', (els) => els.length)).toBe(3);
    expect(await page.$$eval('[data-testid="chart-throughput"] .recharts-area-area', (els) => els.length)).toBe(5);
    expect(
      await page.$$eval('[data-testid="chart-errors"] .recharts-bar-rectangle', (els) => els.length),
    ).toBeGreaterThan(10);
    // The alert panel has loaded: alerts from the demo's incidents, or the empty state.
    await page.waitForSelector('[data-testid="alert-panel"][data-state="ready"]');
    expect(await page.textContent('[data-testid="alert-panel"]')).toMatch(/No alerts firing|critical|warning|info/);
    await page.screenshot({ path: `${SHOTS}overview-dark.png`, fullPage: true });
  });

  it('explains a heatmap cell on hover', async () => {
    const cell = await page.$('[data-testid="chart-health"] svg rect:last-of-type');
    await cell?.hover();
    const card = await page.waitForSelector('[role="tooltip"]');
    expect(await card.textContent()).toMatch(/Score: .*against a target of 1\.00%/);
    await page.screenshot({ path: `${SHOTS}heatmap-hover.png` });
  });

  it('updates values live within a few seconds', async () => {
    await page.goto(`${server.url}/?from=now-5m`);
    await waitForCharts(page);
    const before = await chartFacts(page, 'chart-throughput');
    const pathBefore = await page.evaluate(() =>
      document.querySelectorAll('[data-testid="chart-latency"] .recharts-line-curve')[2]?.getAttribute('d'),
    );
    await page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) > t,
      before.lastT,
      { timeout: 5_000 },
    );
    // Charts redraw at staggered moments within the second, so the latency chart may follow a little later.
    await page.waitForFunction(
      (d) =>
        document.querySelectorAll('[data-testid="chart-latency"] .recharts-line-curve')[2]?.getAttribute('d') !== d,
      pathBefore,
      { timeout: 3_000 },
    );
    // The window slides with bounded data: buckets come in at the end and fall out at the start.
    await page.waitForTimeout(4_000);
    const after = await chartFacts(page, 'chart-throughput');
    expect(after.firstT).toBeGreaterThan(before.firstT);
    expect(after.points).toBeLessThanOrEqual(before.points + 1);
  });

  it('puts range and service filter in the URL; a reload restores them', async () => {
    await page.goto(`${server.url}/`);
    await waitForCharts(page);
    const hourStep = (await chartFacts(page, 'chart-throughput')).step;
    await page.getByRole('button', { name: '15m', exact: true }).click();
    await page.waitForURL(/from=now-15m/);
    await waitForCharts(page);
    expect((await chartFacts(page, 'chart-throughput')).step).toBeLessThan(hourStep);

    await page.getByTestId('service-filter').click();
    await page.getByRole('searchbox', { name: 'Search services' }).fill('auth');
    await page.getByRole('checkbox', { name: 'auth-service' }).check();
    await page.waitForURL(/service=auth-service/);
    await page.keyboard.press('Escape');
    await waitForCharts(page);
    const legend = () =>
      page.$$eval('[data-testid="chart-throughput"] .recharts-legend-item-text', (e) => e.map((x) => x.textContent));
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="chart-throughput"] .recharts-legend-item-text').length === 1,
    );
    expect(await legend()).toEqual(['auth-service']);
    expect((await chartFacts(page, 'chart-health')).rows).toBe(1);

    await page.reload();
    await waitForCharts(page);
    expect(page.url()).toMatch(/from=now-15m.*service=auth-service/);
    expect(await page.getByRole('button', { name: '15m', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('service-filter').textContent()).toContain('auth-service');
    expect(await legend()).toEqual(['auth-service']);
  });

  it('zooms by dragging across a chart and backs out', async () => {
    await page.goto(`${server.url}/?from=now-1h`);
    await waitForCharts(page);
    const box = (await (await page.$('[data-testid="chart-throughput"] .recharts-wrapper'))?.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.waitForURL(/from=\d+&to=\d+/);
    const url = new URL(page.url());
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    expect(span).toBeGreaterThan(5 * 60_000);
    expect(span).toBeLessThan(20 * 60_000);
    await waitForCharts(page);
    expect(await page.getByTestId('live-toggle').textContent()).toContain('Paused');
    await page.getByRole('button', { name: /Zoom out/ }).click();
    await page.waitForURL((u) => !u.searchParams.has('to'));
  });

  it('opens a service page with RED charts, sortable routes and its other metrics', async () => {
    await page.goto(`${server.url}/`);
    await waitForCharts(page);
    await page.getByRole('button', { name: 'payment-service' }).click();
    await page.waitForURL(/\/services\/payment-service/);
    await waitForCharts(page, ['chart-latency', 'chart-throughput', 'chart-errors', 'chart-metric']);
    await page.waitForSelector('[data-testid="routes-table"] tbody tr');
    const routes = () =>
      page.$$eval('[data-testid="routes-table"] tbody td:first-child', (els) => els.map((e) => e.textContent));
    expect((await routes()).length).toBeGreaterThan(1);
    await page.getByRole('button', { name: /^Route/ }).click();
    await page.waitForURL(/sort=route/);
    const sorted = await routes();
    expect(sorted).toEqual([...sorted].sort((a, b) => (a ?? '').localeCompare(b ?? '')));
    await page.getByLabel('Metric', { exact: true }).selectOption('process.memory.usage');
    await page.waitForURL(/metric=process\.memory\.usage/);
    await waitForCharts(page, ['chart-metric']);
    await page.screenshot({ path: `${SHOTS}service-page.png`, fullPage: true });
  });

  it('switches to the light theme and keeps it after a reload', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.reload();
    await waitForCharts(page);
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    await page.screenshot({ path: `${SHOTS}overview-light.png`, fullPage: true });
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  });

  it('renders a service named like HTML as text', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const res = await fetch(`${server.url}/api/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        metrics: [{ service: name, name: 'http.server.request.duration', type: 'histogram', value: 12 }],
      }),
    });
    expect(res.status).toBe(202);
    await page.goto(`${server.url}/`);
    await waitForCharts(page);
    await page.getByRole('button', { name }).waitFor();
    expect(await page.$('img[src="x"]')).toBeNull();
    await page.getByRole('button', { name }).click();
    await page.waitForSelector('[data-testid="service-title"]');
    expect(await page.textContent('[data-testid="service-title"]')).toBe(name);
    expect(await page.$('img')).toBeNull();
    await page.screenshot({ path: `${SHOTS}html-service-name.png` });
  });

  it('logged no console errors', () => {
    expect(unexpected(errors)).toEqual([]);
  });
});
