import { describe, expect, it } from 'vitest';
import { chartFacts, SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

const session = browserSession();

describe('live connection loss', () => {
  it('shows a banner while the server is down, then backfills the gap with one red call', async () => {
    await session.page.goto(`${session.server.url}/?from=now-5m`);
    await waitForCharts(session.page);
    // Let a few live seconds arrive so the page has a cursor.
    const start = await chartFacts(session.page, 'chart-throughput');
    await session.page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) > t,
      start.lastT,
    );
    const redCalls: URL[] = [];
    session.page.on('request', (request) => {
      const url = new URL(request.url());
      // maxPoints=1: a chart reading one closed bucket again (exact percentiles), not a reload or a backfill.
      if (url.pathname === '/api/v1/red' && url.searchParams.get('maxPoints') !== '1') redCalls.push(url);
    });

    await session.server.stop();
    await session.page.getByTestId('connection-banner').waitFor({ timeout: 10_000 });
    expect(await session.page.getByTestId('connection-banner').textContent()).toContain('Live connection lost');
    await session.page.screenshot({ path: `${SHOTS}connection-banner.png` });
    await session.page.waitForTimeout(3_000);
    await session.server.restart();

    await session.page.getByTestId('connection-banner').waitFor({ state: 'detached', timeout: 30_000 });
    const resumed = Date.now();
    await session.page.waitForFunction(
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
      const facts = await chartFacts(session.page, id);
      expect(facts.points).toBe((facts.lastT - facts.firstT) / facts.step + 1);
      expect(facts.firstT).toBeLessThan(from);
    }
    expect(unexpected(session.errors, { outage: true })).toEqual([]);
  });
});
