import { execFileSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleError, launchBrowser, openPage } from './support/browser.ts';
import { SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { startServer, type TestServer } from './support/server.ts';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ demo: false }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('a server nothing has reported to yet', () => {
  it('says how to send metrics, and the curl line it shows brings the dashboard', async () => {
    const { page, errors } = await openPage(browser);
    const failed: string[] = [];
    page.on('response', (res) => {
      if (res.status() >= 400) failed.push(`${res.status()} ${res.url()}`);
    });
    await page.goto(server.url);
    await page.waitForSelector('[data-testid="get-started"]');
    expect(await page.textContent('[data-testid="get-started"] h2')).toBe('No metrics yet');
    const otel = (await page.textContent('[data-testid="get-started-otel"]')) ?? '';
    expect(otel).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${server.url}`);
    expect(otel).toContain('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');
    // No empty charts under it.
    expect(await page.$('[data-testid="chart-latency"]')).toBeNull();
    await page.screenshot({ path: `${SHOTS}empty-server.png`, fullPage: true });

    // The command exactly as shown, run as a user would paste it.
    const curl = (await page.textContent('[data-testid="get-started-curl"]')) ?? '';
    expect(curl).toMatch(/^curl -X POST /);
    const answer = execFileSync('bash', ['-c', `${curl} --silent --show-error`], { encoding: 'utf8' });
    expect(JSON.parse(answer)).toEqual({ accepted: 1 });

    // The page notices by itself and shows the dashboard with that service.
    await waitForCharts(page, ['chart-latency'], 15_000);
    expect(await page.$('[data-testid="get-started"]')).toBeNull();
    expect(await page.textContent('[data-testid="chart-latency"]')).toContain('checkout');
    // Its "last min" cards show its seconds so far, not "–" until the minute it began in has closed.
    const p50 = page.locator('[data-testid="stat-p50 latency"] .stat-value');
    await page.waitForFunction(
      () => /ms$/.test(document.querySelector('[data-testid="stat-p50 latency"] .stat-value')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    expect(Number.parseFloat((await p50.textContent()) ?? '')).toBeCloseTo(42, 0);

    expect(failed).toEqual([]);
    expect(unexpected(errors as ConsoleError[])).toEqual([]);
  });
});
