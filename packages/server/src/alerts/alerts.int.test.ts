import type { Alert, Rule } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';
import { waitFor, webhookReceiver } from '../testing/webhook-receiver.ts';

describe('alerts over HTTP and WebSocket', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('validates rules naming the field, assigns ids, and keeps built-in rules read-only', async () => {
    const { app } = await setup({ defaultRules: true });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: { ...rule(), window: '5 minutes' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({ code: 'PULSE_ERR_VALIDATION', message: expect.stringMatching(/^window: /) });
    const badCondition = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { ...rule(), condition: { type: 'threshold', op: '>', value: 'high' } },
    });
    expect(badCondition.json().message).toMatch(/^condition\.value: /);
    const badRecovery = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { ...rule(), condition: { type: 'threshold', op: '>', value: 200, recovery: 300 } },
    });
    expect(badRecovery.json().message).toMatch(/^condition\.recovery: /);
    // The page's rule form shows the same words from the same shared check.
    const percentAsNumber = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: { ...rule(), signal: 'errorRate', condition: { type: 'threshold', op: '>', value: 2 } },
    });
    expect(percentAsNumber.json()).toEqual({
      code: 'PULSE_ERR_VALIDATION',
      message: 'condition.value: must be a fraction from 0 to 1 (use 0.02 for 2 %)',
    });

    const created = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule() });
    expect(created.statusCode).toBe(201);
    const body = created.json() as Rule;
    expect(body).toMatchObject({ ...rule(), id: expect.any(String), keepFiringFor: '0s', source: 'api' });
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/rules/${body.id}`,
      payload: { ...rule(), enabled: false },
    });
    expect(put.json()).toMatchObject({ id: body.id, enabled: false });
    const list = await getJson<{ rules: Rule[] }>(app, '/api/v1/rules');
    expect(list.body.rules.map((r) => r.id)).toEqual([
      'default-error-rate',
      'default-p99-anomaly',
      'default-traffic-anomaly',
      'default-no-data',
      'default-cpu',
      body.id,
    ]);
    const readOnly = await app.inject({ method: 'DELETE', url: '/api/v1/rules/default-no-data' });
    expect(readOnly.statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/rules/${body.id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/rules/${body.id}` })).statusCode).toBe(404);
    const badState = await app.inject({ method: 'GET', url: '/api/v1/alerts?state=burning' });
    expect(badState.json().message).toMatch(/^state: /);
  });

  it('fires a rule made over the API on ingested data, notifies a webhook and the socket, then resolves', async () => {
    const { app, url } = await setup();
    const hook = await webhookReceiver();
    cleanups.push(hook.close);
    const socket = await liveClient(url, cleanups);
    const created = (
      await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule({ url: hook.url }) })
    ).json() as Rule;

    const slow = sendLoop(app, 400, cleanups);
    const firing = await socket.until((a) => a.state === 'firing');
    expect(firing).toMatchObject({ ruleId: created.id, service: 'checkout', threshold: 250, silenced: false });
    expect(firing.reason).toMatch(/^p99 \d+ ms is above 250 ms \(resolves below 200 ms\) over 5s/);
    const hookFiring = await hook.until((p) => p.state === 'firing');
    expect(hookFiring).toMatchObject({
      state: 'firing',
      alertId: firing.id,
      ruleId: created.id,
      ruleName: 'slow checkout',
      service: 'checkout',
      severity: 'critical',
      startedAt: firing.startedAt,
      url: expect.stringContaining('/services/checkout?'),
    });
    const listed = await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts');
    expect(listed.body.alerts.map((a) => a.id)).toEqual([firing.id]);

    slow.stop();
    sendLoop(app, 20, cleanups);
    const resolved = await socket.until((a) => a.state === 'resolved');
    expect(resolved).toMatchObject({ id: firing.id, resolvedAt: expect.any(Number) });
    const hookResolved = await hook.until((p) => p.state === 'resolved');
    expect(hookResolved).toMatchObject({ alertId: firing.id, resolvedAt: resolved.resolvedAt });
    expect(hook.received.filter((p) => p.state === 'firing')).toHaveLength(1);
    const history = await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts?state=resolved');
    expect(history.body.alerts[0]).toMatchObject({ id: firing.id, state: 'resolved' });
  });

  it("closes a rule's alert on all services when its service is deleted (the page's Delete service)", async () => {
    const { app, url } = await setup();
    const socket = await liveClient(url, cleanups);
    await app.inject({ method: 'POST', url: '/api/v1/rules', payload: { ...rule(), service: '*', for: '0s' } });
    const slow = sendLoop(app, 400, cleanups);
    const firing = await socket.until((a) => a.state === 'firing');
    slow.stop();
    // Whatever the loop had in flight lands before the deletion.
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect((await app.inject({ method: 'DELETE', url: '/api/v1/services/checkout' })).statusCode).toBe(204);
    const resolved = await socket.until((a) => a.id === firing.id && a.state === 'resolved');
    expect(resolved.reason).toBe('checkout is no longer an active service');
  });

  it('keeps the rule, the firing alert and its acknowledgement across a restart, without notifying again', async () => {
    const first = await setup();
    const hook = await webhookReceiver();
    cleanups.push(hook.close);
    const created = (
      await first.app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule({ url: hook.url }) })
    ).json() as Rule;
    const slow = sendLoop(first.app, 400, cleanups);
    const fired = await hook.until((p) => p.state === 'firing');
    const ack = await first.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${fired.alertId}/ack`,
      payload: { by: 'dana' },
    });
    expect(ack.json()).toMatchObject({ id: fired.alertId, acknowledgedBy: 'dana', acknowledgedAt: expect.any(Number) });
    slow.stop();
    await first.close();

    const app = await buildApp(first.config);
    cleanups.push(() => app.close());
    await app.ready();
    const restarted = sendLoop(app, 400, cleanups);
    const rules = await getJson<{ rules: Rule[] }>(app, '/api/v1/rules');
    expect(rules.body.rules).toMatchObject([{ id: created.id, name: 'slow checkout' }]);
    const alerts = await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts');
    expect(alerts.body.alerts).toMatchObject([{ id: fired.alertId, state: 'firing', acknowledgedBy: 'dana' }]);
    // A few evaluations on the restarted server: still the same alert, and no second notification.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const after = await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts');
    expect(after.body.alerts.map((a) => a.id)).toEqual([fired.alertId]);
    expect(hook.received.filter((p) => p.state === 'firing')).toHaveLength(1);

    // Silenced, it still shows (marked) but its resolution sends nothing.
    const silence = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { service: 'checkout', duration: '1h', createdBy: 'dana' },
    });
    expect(silence.statusCode).toBe(201);
    const silenced = await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts');
    expect(silenced.body.alerts[0]).toMatchObject({ id: fired.alertId, silenced: true });
    const badSilence = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { duration: '1h' } });
    expect(badSilence.json().message).toMatch(/^ruleId: /);
    restarted.stop();
    sendLoop(app, 20, cleanups);
    const resolved: Alert[] = [];
    for (const deadline = Date.now() + 20_000; resolved.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      resolved.push(...(await getJson<{ alerts: Alert[] }>(app, '/api/v1/alerts?state=resolved')).body.alerts);
    }
    expect(resolved[0]).toMatchObject({ id: fired.alertId, state: 'resolved' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received.filter((p) => p.state === 'resolved')).toHaveLength(0);
  });

  async function setup(overrides: Partial<Config> = {}) {
    // The receivers here listen on 127.0.0.1, which notifications may reach only when allowed.
    const handle = await startTestApp({ defaultRules: false, webhookAllow: ['127.0.0.0/8'], ...overrides });
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.app.close();
    };
    cleanups.push(close);
    const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
    return { ...handle, close, url: `${address.replace('http', 'ws')}/api/v1/live` };
  }
});

function rule(options: { url?: string } = {}) {
  return {
    name: 'slow checkout',
    service: 'checkout',
    signal: 'p99',
    condition: { type: 'threshold', op: '>', value: 250, recovery: 200 },
    window: '5s',
    for: '2s',
    severity: 'critical',
    notify: options.url ? [{ type: 'webhook', url: options.url }] : [],
  };
}

/** Requests of `latencyMs` for checkout every 100 ms until stopped (or the test ends). */
function sendLoop(app: FastifyInstance, latencyMs: number, cleanups: (() => void)[]) {
  const timer = setInterval(() => {
    void ingest(app, [
      { service: 'checkout', name: 'http.server.request.duration', type: 'histogram', value: latencyMs },
    ]).catch(() => {});
  }, 100);
  const stop = () => clearInterval(timer);
  cleanups.push(stop);
  return { stop };
}

async function liveClient(url: string, cleanups: (() => void)[]) {
  const socket = new WebSocket(url);
  const alerts: Alert[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; alert?: Alert };
    if (message.type === 'alert' && message.alert) alerts.push(message.alert);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  cleanups.push(() => socket.terminate());
  return { until: (match: (a: Alert) => boolean) => waitFor(alerts, match) };
}
