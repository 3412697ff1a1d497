import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { SHOTS, unexpected } from './support/page.ts';
import { startServer, type TestServer } from './support/server.ts';
import { openWithWindowLine, sleep, waitForAService, windowLine } from './support/stat-window.ts';

/** Shorter than the SDK's default 60 s so the test takes a minute, not four; the server reads it the same way. */
const EXPORT_INTERVAL_MS = 15_000;

/**
 * A stranger's service: the real OpenTelemetry SDK with the OTLP HTTP exporter at its default (cumulative)
 * temporality, recording requests at `rate` per second on a timer and exporting every 15 s.
 */
function sdkService(url: string) {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${url}/v1/metrics` }),
        exportIntervalMillis: EXPORT_INTERVAL_MS,
      }),
    ],
  });
  const duration = provider.getMeter('e2e').createHistogram('http.server.request.duration', { unit: 's' });
  const service = { rate: 10, stop: () => provider.shutdown() };
  const timer = setInterval(() => {
    for (let i = 0; i < service.rate / 10; i++) duration.record(0.02, { 'http.response.status_code': 200 });
  }, 100);
  service.stop = async () => {
    clearInterval(timer);
    await provider.shutdown();
  };
  return service;
}

/** The Requests/s card's figure for the window ("5m: 41.2/s"). */
const windowRate = async (page: Page) => (await windowLine(page)).rate;

const openDashboard = (width: number) => openWithWindowLine(browser, `${server.url}/?from=now-5m`, width, 900);

let server: TestServer;
let browser: Browser;
let service: ReturnType<typeof sdkService>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ demo: false }), launchBrowser()]);
  service = sdkService(server.url);
});

afterAll(async () => {
  await service?.stop();
  await browser?.close();
  await server?.dispose();
});

describe('a service exporting every 15 s with the real SDK, in a real browser', () => {
  it('shows on a page left open what a page loaded afresh shows, once the service has grown its traffic tenfold and stopped', async () => {
    // Its first export (which counts in full), then a second one from which the server learns its interval.
    await waitForAService(server.url);
    await sleep(EXPORT_INTERVAL_MS + 2_000);
    const left = await openDashboard(1280);
    service.rate = 100;
    await sleep(3 * EXPORT_INTERVAL_MS);
    // Its last export goes out as it shuts down. Live frames repeat its last interval for two more (they cannot
    // tell it stopped); two intervals past a bucket's start with nothing new, the page takes the bucket as the
    // server has it. Four intervals on, nothing about the service is on its way or still to be settled.
    await service.stop();
    await sleep(4 * EXPORT_INTERVAL_MS + 10_000);
    const fresh = await openDashboard(390);
    const [leftRate, freshRate] = [await windowRate(left.page), await windowRate(fresh.page)];
    await left.page.screenshot({ path: `${SHOTS}slow-exporter-left-open.png` });
    await fresh.page.screenshot({ path: `${SHOTS}slow-exporter-fresh-390.png`, fullPage: true });
    expect(Math.abs(leftRate - freshRate) / freshRate, `left open ${leftRate}/s, afresh ${freshRate}/s`).toBeLessThan(
      0.02,
    );
    expect(unexpected([...left.errors, ...fresh.errors])).toEqual([]);
  }, 300_000);
});
