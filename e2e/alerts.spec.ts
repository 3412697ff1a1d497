import { describe, expect, it } from 'vitest';
import { webhookReceiver } from '../packages/server/src/testing/webhook-receiver.ts';
import { SHOTS, unexpected, waitForCharts } from './support/page.ts';
import { browserSession } from './support/session.ts';

const session = browserSession();

const RULE = 'E2E any traffic';
const FORM_RULE = 'E2E form rule';

const alertItem = () => session.page.locator('[data-testid="alert"]', { hasText: RULE }).first();

describe('alerts in a real browser', () => {
  it('shows an alert from a new rule live, without a reload, and acknowledges it', async () => {
    await session.page.goto(`${session.server.url}/?from=now-5m`);
    await waitForCharts(session.page, ['chart-latency', 'chart-errors']);
    await session.page.waitForSelector('[data-testid="alert-panel"][data-state="ready"]');
    await session.page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    const hook = await webhookReceiver();
    const res = await fetch(`${session.server.url}/api/v1/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: RULE,
        service: '*',
        signal: 'rate',
        condition: { type: 'threshold', op: '>', value: 0 },
        window: '10s',
        for: '0s',
        severity: 'critical',
        notify: [{ type: 'webhook', url: hook.url }],
      }),
    });
    expect(res.status).toBe(201);

    await alertItem().waitFor({ timeout: 15_000 });
    // The same episode reaches the rule's webhook, on 127.0.0.1 as the server allows it to here.
    const alertId = await alertItem().getAttribute('data-alert-id');
    const payload = await hook.until((p) => p.state === 'firing' && p.ruleName === RULE);
    expect(payload).toMatchObject({ state: 'firing', ruleName: RULE, severity: 'critical' });
    // A `*` rule firing on several services at once sends them in one message, listed in `alerts`.
    const ids = [payload.alertId, ...(payload.alerts ?? []).map((a) => a.alertId)];
    expect(ids).toContain(alertId);
    await hook.close();
    expect(await session.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const text = await alertItem().textContent();
    expect(text).toMatch(/critical/);
    expect(text).toMatch(/firing since (just now|\d+s ago)/);
    // Values in the signal's unit, and the signal's value now from the live frames.
    expect(text).toMatch(/value [\d.]+ req\/s/);
    await alertItem().getByTestId('alert-now').waitFor();
    expect(await alertItem().getByTestId('alert-now').textContent()).toMatch(/now [\d.]+ req\/s/);
    const active = await session.page.textContent('[data-testid="stat-Active alerts"] .stat-value');
    expect(Number(active)).toBeGreaterThanOrEqual(1);
    // The start of the alert is marked on the response-time and error-rate charts.
    const marked = { state: 'attached' } as const;
    await session.page.waitForSelector('[data-testid="chart-latency"] .alert-mark[data-severity="critical"]', marked);
    await session.page.waitForSelector('[data-testid="chart-errors"] .alert-mark[data-severity="critical"]', marked);
    await session.page.screenshot({ path: `${SHOTS}alerts-panel-firing.png`, fullPage: true });

    // First acknowledgement asks for a name once, inline.
    await alertItem()
      .getByRole('button', { name: /^Acknowledge / })
      .click();
    await alertItem().getByLabel('Your name').fill('E2E tester');
    await alertItem().getByRole('button', { name: 'Save and acknowledge' }).click();
    await alertItem().getByText('Acknowledged by E2E tester').waitFor();
    expect(await session.page.evaluate(() => localStorage.getItem('pulseboard:user-name'))).toBe('E2E tester');
    await alertItem().scrollIntoViewIfNeeded();
    await session.page.screenshot({ path: `${SHOTS}alerts-acknowledged.png` });
  });

  it('links to the service page around the alert, live while it fires, with the alert marked', async () => {
    const link = alertItem().getByRole('link', { name: /around this alert/ });
    const href = (await link.getAttribute('href')) ?? '';
    // An open alert: a live window from before its start, not a paused one ending in the future.
    expect(href).toMatch(/^\/services\/[^?]+\?from=now-\d+m$/);
    await link.click();
    await session.page.waitForURL(/\/services\/.+from=now-\d+m$/);
    expect(await session.page.getByTestId('live-toggle').textContent()).toContain('Live');
    await waitForCharts(session.page, ['chart-latency', 'chart-errors']);
    await session.page.waitForSelector('[data-testid="chart-latency"] .alert-mark', { state: 'attached' });
    await session.page.screenshot({ path: `${SHOTS}alerts-service-session.page.png`, fullPage: true });
  });

  it('manages rules on /rules with inline validation', async () => {
    await session.page.goto(`${session.server.url}/`);
    await session.page.getByRole('link', { name: 'Rules', exact: true }).click();
    await session.page.waitForURL(/\/rules$/);
    const row = (name: string) => session.page.locator('[data-testid="rule-row"]', { hasText: name });
    await row(RULE).waitFor();
    expect(await row(RULE).textContent()).toMatch(/> 0 req\/s over 10s/);
    // Default rules are read-only.
    const readOnly = session.page.locator('[data-testid="rule-row"]', { hasText: 'read-only' }).first();
    expect(await readOnly.getByRole('button', { name: /^Delete / }).isDisabled()).toBe(true);
    expect(await readOnly.getByRole('checkbox').isDisabled()).toBe(true);

    await session.page.getByRole('button', { name: 'New rule' }).click();
    const editor = session.page.getByTestId('rule-editor');
    await editor.getByRole('button', { name: 'Create rule' }).click();
    const name = editor.getByLabel('Name', { exact: true });
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    const value = editor.getByLabel('Value', { exact: true });
    expect(await value.getAttribute('aria-invalid')).toBe('true');
    expect(await editor.locator('.field-error').count()).toBe(2);
    await session.page.screenshot({ path: `${SHOTS}rules-form-invalid.png`, fullPage: true });

    // Each message clears as its field is fixed.
    await name.fill(FORM_RULE);
    expect(await name.getAttribute('aria-invalid')).toBeNull();
    expect(await editor.locator('.field-error').count()).toBe(1);
    await value.fill('100000');
    expect(await editor.locator('.field-error').count()).toBe(0);
    // An error rate typed as a percentage is refused with the hint; the fraction is taken.
    await editor.getByLabel('Signal', { exact: true }).fill('errorRate');
    await value.fill('2');
    expect(await editor.locator('.field-error').textContent()).toBe(
      'must be a fraction from 0 to 1 (use 0.02 for 2 %)',
    );
    await value.fill('0.02');
    expect(await editor.locator('.field-error').count()).toBe(0);
    expect(await editor.textContent()).toContain('= 2%');
    await editor.getByLabel('Service', { exact: true }).fill('checkout');
    await editor.getByRole('button', { name: 'Create rule' }).click();
    await row(FORM_RULE).waitFor();
    await editor.waitFor({ state: 'detached' });

    const enabled = row(FORM_RULE).getByRole('checkbox', { name: `${FORM_RULE} enabled` });
    expect(await enabled.isChecked()).toBe(true);
    await enabled.click();
    await session.page.waitForFunction(
      (label) => (document.querySelector(`input[aria-label="${label}"]`) as HTMLInputElement | null)?.checked === false,
      `${FORM_RULE} enabled`,
    );
    await session.page.screenshot({ path: `${SHOTS}rules-session.page.png`, fullPage: true });

    await row(FORM_RULE)
      .getByRole('button', { name: `Delete ${FORM_RULE}` })
      .click();
    await row(FORM_RULE)
      .getByRole('button', { name: `Confirm delete ${FORM_RULE}` })
      .click();
    await row(FORM_RULE).waitFor({ state: 'detached' });
  });

  it('creates and deletes a silence', async () => {
    const silences = session.page.getByTestId('silences');
    await silences.getByLabel('Silence rule').selectOption({ label: RULE });
    await silences.getByLabel('Duration').fill('1h');
    await silences.getByLabel('Comment').fill('e2e maintenance');
    await silences.getByRole('button', { name: 'Add silence' }).click();
    const silenceRow = silences.locator('[data-testid="silence-row"]', { hasText: 'e2e maintenance' });
    await silenceRow.waitFor();
    expect(await silenceRow.textContent()).toContain(RULE);
    expect(await silenceRow.textContent()).toContain('E2E tester');
    await session.page.screenshot({ path: `${SHOTS}rules-silence.png`, fullPage: true });
    await silenceRow.getByRole('button', { name: /^Delete silence/ }).click();
    await silenceRow.waitFor({ state: 'detached' });
  });

  it('logged no console errors', () => {
    expect(unexpected(session.errors)).toEqual([]);
  });
});
