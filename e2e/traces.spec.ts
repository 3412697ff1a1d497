import { describe, expect, it } from 'vitest';
import { SHOTS, unexpected } from './support/page.ts';
import { browserSession } from './support/session.ts';

const session = browserSession();

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const nanos = (ms: number) => `${Math.round(ms)}000000`;

/**
 * An OTLP/JSON export of a trace-only pair: each `shop` request (SERVER span) calls `stock` (a CLIENT span
 * of shop, parent of stock's SERVER span), over the last minute.
 */
function traceExport(now: number) {
  const shop: unknown[] = [];
  const stock: unknown[] = [];
  for (let i = 0; i < 120; i++) {
    const end = now - 60_000 + i * 500;
    const id = (n: number) => (i * 3 + n).toString(16).padStart(16, '0');
    const traceId = (i + 1).toString(16).padStart(32, '0');
    const failed = i % 20 === 0;
    // Every span says it was kept with probability 1, so the page shows "RED from traces".
    const sampled = { traceState: 'ot=th:0', ...(failed ? { status: { code: 2 } } : {}) };
    shop.push({
      traceId,
      spanId: id(1),
      name: 'GET /buy',
      kind: 2,
      startTimeUnixNano: nanos(end - 40),
      endTimeUnixNano: nanos(end),
      attributes: [str('http.route', '/buy')],
      ...sampled,
    });
    shop.push({
      traceId,
      spanId: id(2),
      parentSpanId: id(1),
      name: 'GET',
      kind: 3,
      startTimeUnixNano: nanos(end - 30),
      endTimeUnixNano: nanos(end - 5),
      attributes: [str('peer.service', 'stock')],
      ...sampled,
    });
    stock.push({
      traceId,
      spanId: id(3),
      parentSpanId: id(2),
      name: 'GET /items',
      kind: 2,
      startTimeUnixNano: nanos(end - 28),
      endTimeUnixNano: nanos(end - 7),
      attributes: [str('http.route', '/items')],
      ...sampled,
    });
  }
  const resource = (service: string, spans: unknown[]) => ({
    resource: { attributes: [str('service.name', service)] },
    scopeSpans: [{ scope: { name: 'e2e' }, spans }],
  });
  return { resourceSpans: [resource('shop', shop), resource('stock', stock)] };
}

describe('a trace-only service in a real browser', () => {
  it('shows its RED from traces and its calls on its page', async () => {
    const res = await fetch(`${session.server.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(traceExport(Date.now())),
    });
    expect(await res.text()).toBe('{}');
    const { page } = session;
    await page.goto(`${session.server.url}/services/shop?from=now-15m`);
    await page.waitForSelector('[data-testid="red-source"]');
    expect(await page.textContent('[data-testid="red-source"]')).toBe('RED from traces');
    await page.waitForSelector('[data-testid="calls-table"][data-state="ready"]');
    // The call rate shows once the time the service's data covers is read (with the routes).
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="calls-table"] tbody tr')?.textContent?.includes('/s)'),
    );
    const rows = await page.$$eval('[data-testid="calls-table"] tbody tr', (trs) => trs.map((tr) => tr.textContent));
    expect(rows).toEqual([expect.stringMatching(/calls →stock120 .*5(\.0+)?%/)]);
    await page.waitForSelector('[data-testid="routes-table"][data-state="ready"]');
    const routes = (await page.textContent('[data-testid="routes-table"] tbody')) ?? '';
    expect(routes).toContain('/buy');
    // 120 calls in the last minute of a 15-minute page: ~2/s over the time the service has existed, as its
    // route's rate (before, the calls table divided by the whole 15 minutes: 0.13/s).
    const rateIn = (text: string) => Number(/\(([\d.]+)\/s\)/.exec(text)?.[1]);
    expect(rateIn(rows[0]!)).toBe(rateIn(routes));
    expect(rateIn(rows[0]!)).toBeGreaterThan(1.5);
    await page.screenshot({ path: `${SHOTS}service-traces.png`, fullPage: true });
    await page.goto(`${session.server.url}/services/stock?from=now-15m`);
    await page.waitForSelector('[data-testid="calls-table"][data-state="ready"]');
    expect(await page.textContent('[data-testid="calls-table"] tbody')).toMatch(/← called byshop120/);
    expect(unexpected(session.errors)).toEqual([]);
  });
});
