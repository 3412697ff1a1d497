import { describe, expect, it } from 'vitest';
import type { ConsoleError } from './support/browser.ts';
import { SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

// A phone-sized page on a server without the demo.
const session = browserSession({ flags: ['--no-demo'], width: 390, height: 844 });

/** A minute of requests from `service`, as the native API takes them. */
async function sendRequests(service: string): Promise<void> {
  const now = Date.now();
  const points = Array.from({ length: 20 }, (_, i) => [now - 60_000 + i * 3000, 5 + i]);
  const res = await fetch(`${session.server.url}/api/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      metrics: [{ service, name: 'http.server.request.duration', type: 'histogram', unit: 'ms', points }],
    }),
  });
  expect(res.status).toBe(202);
}

const serviceNames = async () =>
  (
    (await (await fetch(`${session.server.url}/api/v1/services`)).json()) as { services: { name: string }[] }
  ).services.map((s) => s.name);

describe('deleting a service from its page', () => {
  it('asks first, then deletes it with its data and goes back to the other services; on a phone too', async () => {
    await sendRequests('checkout');
    await sendRequests('retired-batch-job');
    const { page, errors } = session;
    await page.goto(`${session.server.url}/services/retired-batch-job?from=now-15m`);
    await waitForCharts(page, ['chart-latency']);

    // One click only asks; Cancel leaves the service as it was.
    await page.click('[data-testid="delete-service"]');
    const question = page.locator('[role="alertdialog"]');
    expect(await question.textContent()).toContain('Delete retired-batch-job and all its stored data?');
    const sideways = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    );
    expect(sideways).toBe(false);
    await page.screenshot({ path: `${SHOTS}delete-service-phone.png`, fullPage: true });
    await page.click('text=Cancel');
    expect(await serviceNames()).toContain('retired-batch-job');

    await page.click('[data-testid="delete-service"]');
    await page.click('[data-testid="confirm-delete-service"]');
    await page.waitForURL((url) => url.pathname === '/');
    expect(await serviceNames()).toEqual(['checkout']);
    // The overview lists what is left, at once (not at the list's next refresh).
    await waitForCharts(page, ['chart-latency']);
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="chart-latency"]')?.textContent?.includes('retired-batch-job'),
      null,
      { timeout: 10_000 },
    );
    expect(await page.textContent('[data-testid="chart-latency"]')).toContain('checkout');
    // Its data went with it: a read of it now finds nothing.
    const red = await fetch(`${session.server.url}/api/v1/red?service=retired-batch-job&from=now-15m`);
    const { series } = (await red.json()) as { series: { points: unknown[] }[] };
    expect(series.flatMap((s) => s.points)).toEqual([]);
    expect(unexpected(errors as ConsoleError[])).toEqual([]);
  });
});
