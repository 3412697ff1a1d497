import { describe, expect, it } from 'vitest';
import { chartFacts, SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

const READ_KEY = 'e2e-read-key-0123456789';
const ADMIN_KEY = 'e2e-admin-key-0123456789';
const INGEST_KEY = 'e2e-ingest-key-0123456789';

// A phone-sized page: the login view must fit 390 px.
const session = browserSession({
  flags: ['--read-key', `wall:${READ_KEY}`, '--admin-key', ADMIN_KEY, '--ingest-key', INGEST_KEY],
  width: 390,
  height: 844,
});

/** The browser logs refused requests (a wrong key, requests cut off by logging out) as console errors. */
const refusals = (errors: { text: string; url: string }[]) =>
  unexpected(errors).filter((text) => !/status of 401/.test(text));

describe('keys: the page asks for one', () => {
  it('shows the login view, then an error for a wrong key', async () => {
    const { page, server } = session;
    // A short range, whose buckets are short enough to see live data arrive (the URL survives the login).
    await page.goto(`${server.url}/?from=now-5m`);
    await page.getByTestId('login').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Nothing of the dashboard is loaded before the key is given.
    expect(await page.$('[data-testid="chart-latency"]')).toBeNull();
    await page.getByLabel('Key').fill('not-the-key-0123456789');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/not a valid key/);
    await page.screenshot({ path: `${SHOTS}login-390.png` });
  });

  it('opens a read-only dashboard with live data for the read key, keeping the key out of page scripts', async () => {
    const { page, server } = session;
    await page.getByLabel('Key').fill(READ_KEY);
    await page.getByRole('button', { name: 'Log in' }).click();
    await waitForCharts(page, ['chart-throughput', 'chart-latency']);
    expect(await page.getByTestId('session-role').textContent()).toBe('read-only (wall)');
    const before = await chartFacts(page, 'chart-throughput');
    // Live frames arrive over the socket, which the session cookie opened.
    await page.waitForFunction(
      (t) => Number(document.querySelector('[data-testid="chart-throughput"]')?.getAttribute('data-last-t')) > t,
      before.lastT,
      { timeout: 10_000 },
    );
    // HttpOnly: the session cookie is invisible to scripts, and the key is not kept anywhere.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(READ_KEY);
    // A reload keeps the session.
    await page.reload();
    await waitForCharts(page, ['chart-throughput']);
    // Changes are disabled rather than failing.
    await page.goto(`${server.url}/rules`);
    await page.waitForSelector('[data-testid="rules"][data-state="ready"]');
    expect(await page.getByRole('button', { name: 'New rule' }).isDisabled()).toBe(true);
    expect(await page.getByText('Silences are added with an admin key.').count()).toBe(1);
    await page.goto(`${server.url}/services/checkout`);
    expect(await page.getByTestId('delete-service').isDisabled()).toBe(true);
    expect(refusals(session.errors)).toEqual([]);
  });

  it('serves the API docs under the same content security policy', async () => {
    const { page, server } = session;
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('.swagger-ui .info .title', { timeout: 20_000 });
    expect(await page.textContent('.swagger-ui .info .title')).toContain('Pulseboard API');
    // A policy violation would be a console error ("Refused to ...").
    expect(refusals(session.errors)).toEqual([]);
  });

  it('logs out back to the login view, and a reload stays there', async () => {
    const { page, server } = session;
    await page.goto(`${server.url}/`);
    await waitForCharts(page, ['chart-throughput']);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByTestId('login').waitFor();
    await page.reload();
    await page.getByTestId('login').waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/services')).status);
    expect(status).toBe(401);
    expect(refusals(session.errors)).toEqual([]);
  });
});
