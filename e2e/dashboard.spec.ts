import { describe, expect, it } from 'vitest';
import { chartFacts, SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

const session = browserSession();

describe('dashboard in a real browser', () => {
  it('shows every overview view filled with demo data', async () => {
    await session.page.goto(`${session.server.url}/`);
    await waitForCharts(session.page);
    for (const id of ['chart-latency', 'chart-throughput', 'chart-errors']) {
      expect((await chartFacts(session.page, id)).points).toBeGreaterThan(10);
    }
    expect((await chartFacts(session.page, 'chart-health')).rows).toBe(5);
    await session.page.waitForSelector('[data-testid="stat-cards"][data-state="ready"]');
    for (const label of ['Requests/s', 'Error rate', 'p50 latency', 'p95 latency', 'p99 latency', 'CPU', 'Memory']) {
      const value = await session.page.textContent(`[data-testid="stat-${label}"] .stat-value`);
      expect(value, label).toMatch(/\d/);
    }
    // The three time charts draw paths or bars, not just axes.
    expect(await session.page.$$eval('[data-testid="chart-latency"] .recharts-line-curve', (els) => els.length)).toBe(
      3,
    );
    expect(await session.page.$$eval('[data-testid="chart-throughput"] .recharts-area-area', (els) => els.length)).toBe(
      5,
    );
    expect(
      await session.page.$$eval('[data-testid="chart-errors"] .recharts-bar-rectangle', (els) => els.length),
    ).toBeGreaterThan(10);
    // The alert panel has loaded: alerts from the demo's incidents, or the empty state.
    await session.page.waitForSelector('[data-testid="alert-panel"][data-state="ready"]');
    expect(await session.page.textContent('[data-testid="alert-panel"]')).toMatch(
      /No alerts firing|critical|warning|info/,
    );
    await session.page.screenshot({ path: `${SHOTS}overview-dark.png`, fullPage: true });
  });

  it('explains a heatmap cell on hover', async () => {
    const cell = await session.page.$('[data-testid="chart-health"] svg rect:last-of-type');
    await cell?.hover();
    const card = await session.page.waitForSelector('[role="tooltip"]');
    expect(await card.textContent()).toMatch(/Score: .*against a target of 1\.00%/);
    await session.page.screenshot({ path: `${SHOTS}heatmap-hover.png` });
  });

  it('updates values live within a few seconds', async () => {
    await session.page.goto(`${session.server.url}/?from=now-5m`);
    await waitForCharts(session.page);
    const before = await chartFacts(session.page, 'chart-throughput');
    const pathBefore = await session.page.evaluate(() =>
      document.querySelectorAll('[data-testid="chart-latency"] .recharts-line-curve')[2]?.getAttribute('d'),
    );
    await session.page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) > t,
      before.lastT,
      { timeout: 5_000 },
    );
    // Charts redraw at staggered moments within the second, so the latency chart may follow a little later.
    await session.page.waitForFunction(
      (d) =>
        document.querySelectorAll('[data-testid="chart-latency"] .recharts-line-curve')[2]?.getAttribute('d') !== d,
      pathBefore,
      { timeout: 3_000 },
    );
    // The window slides and holds its span: buckets come in at the end, and the first falls out as soon as it
    // lies wholly before the window (within a step, 2 s, of the data moving on).
    await session.page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-first-t')) > t,
      before.firstT,
      { timeout: 5_000 },
    );
    const after = await chartFacts(session.page, 'chart-throughput');
    // The buckets overlapping a 5-minute window: their starts are at most 5 minutes apart, however the server
    // snapped the loaded range's start.
    for (const facts of [before, after]) expect(facts.lastT - facts.firstT).toBeLessThanOrEqual(5 * 60_000);
    expect(after.points).toBeLessThanOrEqual((5 * 60_000) / after.step + 1);
  });

  it('puts range and service filter in the URL; a reload restores them', async () => {
    await session.page.goto(`${session.server.url}/`);
    await waitForCharts(session.page);
    const hourStep = (await chartFacts(session.page, 'chart-throughput')).step;
    await session.page.getByRole('button', { name: '15m', exact: true }).click();
    await session.page.waitForURL(/from=now-15m/);
    await waitForCharts(session.page);
    expect((await chartFacts(session.page, 'chart-throughput')).step).toBeLessThan(hourStep);

    await session.page.getByTestId('service-filter').click();
    await session.page.getByRole('searchbox', { name: 'Search services' }).fill('auth');
    await session.page.getByRole('checkbox', { name: 'auth-service' }).check();
    await session.page.waitForURL(/service=auth-service/);
    await session.page.keyboard.press('Escape');
    await waitForCharts(session.page);
    const legend = () =>
      session.page.$$eval('[data-testid="chart-throughput"] .recharts-legend-item-text', (e) =>
        e.map((x) => x.textContent),
      );
    await session.page.waitForFunction(
      () => document.querySelectorAll('[data-testid="chart-throughput"] .recharts-legend-item-text').length === 1,
    );
    expect(await legend()).toEqual(['auth-service']);
    expect((await chartFacts(session.page, 'chart-health')).rows).toBe(1);

    await session.page.reload();
    await waitForCharts(session.page);
    expect(session.page.url()).toMatch(/from=now-15m.*service=auth-service/);
    expect(await session.page.getByRole('button', { name: '15m', exact: true }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await session.page.getByTestId('service-filter').textContent()).toContain('auth-service');
    expect(await legend()).toEqual(['auth-service']);
  });

  it('zooms by dragging across a chart and backs out', async () => {
    await session.page.goto(`${session.server.url}/?from=now-1h`);
    await waitForCharts(session.page);
    const box = (await (await session.page.$('[data-testid="chart-throughput"] .recharts-wrapper'))?.boundingBox())!;
    await session.page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await session.page.mouse.down();
    await session.page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 8 });
    await session.page.mouse.up();
    await session.page.waitForURL(/from=\d+&to=\d+/);
    const url = new URL(session.page.url());
    const span = Number(url.searchParams.get('to')) - Number(url.searchParams.get('from'));
    expect(span).toBeGreaterThan(5 * 60_000);
    expect(span).toBeLessThan(20 * 60_000);
    await waitForCharts(session.page);
    expect(await session.page.getByTestId('live-toggle').textContent()).toContain('Paused');
    await session.page.getByRole('button', { name: /Zoom out/ }).click();
    await session.page.waitForURL((u) => !u.searchParams.has('to'));
  });

  it('opens a service page with RED charts, sortable routes and its other metrics', async () => {
    await session.page.goto(`${session.server.url}/`);
    await waitForCharts(session.page);
    await session.page.getByRole('button', { name: 'payment-service' }).click();
    await session.page.waitForURL(/\/services\/payment-service/);
    await waitForCharts(session.page, ['chart-latency', 'chart-throughput', 'chart-errors', 'chart-metric']);
    await session.page.waitForSelector('[data-testid="routes-table"] tbody tr');
    const routes = () =>
      session.page.$$eval('[data-testid="routes-table"] tbody td:first-child', (els) => els.map((e) => e.textContent));
    expect((await routes()).length).toBeGreaterThan(1);
    await session.page.getByRole('button', { name: /^Route/ }).click();
    await session.page.waitForURL(/sort=route/);
    const sorted = await routes();
    expect(sorted).toEqual([...sorted].sort((a, b) => (a ?? '').localeCompare(b ?? '')));
    await session.page.getByLabel('Metric', { exact: true }).selectOption('process.memory.usage');
    await session.page.waitForURL(/metric=process\.memory\.usage/);
    await waitForCharts(session.page, ['chart-metric']);
    await session.page.screenshot({ path: `${SHOTS}service-session.page.png`, fullPage: true });
  });

  it('switches to the light theme and keeps it after a reload', async () => {
    await session.page.goto(`${session.server.url}/`);
    await session.page.getByRole('button', { name: 'Switch to light theme' }).click();
    await session.page.reload();
    await waitForCharts(session.page);
    expect(await session.page.getAttribute('html', 'data-theme')).toBe('light');
    await session.page.screenshot({ path: `${SHOTS}overview-light.png`, fullPage: true });
    await session.page.getByRole('button', { name: 'Switch to dark theme' }).click();
  });

  it('renders a service named like HTML as text', async () => {
    const name = '<img src=x onerror=alert(1)>';
    const res = await fetch(`${session.server.url}/api/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        metrics: [{ service: name, name: 'http.server.request.duration', type: 'histogram', value: 12 }],
      }),
    });
    expect(res.status).toBe(202);
    await session.page.goto(`${session.server.url}/`);
    await waitForCharts(session.page);
    // The heatmap's row label: on a slow machine the "no data" alert for this service may fire meanwhile,
    // and the alert panel's link carries the same name.
    const rowLabel = session.page.locator('.heatmap-labels').getByRole('button', { name, exact: true });
    await rowLabel.waitFor();
    expect(await session.page.$('img[src="x"]')).toBeNull();
    await rowLabel.click();
    await session.page.waitForSelector('[data-testid="service-title"]');
    expect(await session.page.textContent('[data-testid="service-title"]')).toBe(name);
    expect(await session.page.$('img')).toBeNull();
    await session.page.screenshot({ path: `${SHOTS}html-service-name.png` });
  });

  it('logged no console errors', () => {
    expect(unexpected(session.errors)).toEqual([]);
  });
});
