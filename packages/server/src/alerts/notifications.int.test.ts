import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import { ingest, startTestApp } from '../testing/test-app.ts';

/** Notification safety through the API, with real receivers on 127.0.0.1. */
describe('alert notifications over HTTP', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('refuses a rule whose receiver is a loopback, link-local or private address, naming the field', async () => {
    const { app } = await setup({ webhookAllow: [] });
    const hosts = ['127.0.0.1', '127.1', '0x7f000001', '2130706433', '[::1]', '[::ffff:127.0.0.1]', 'localhost'];
    for (const host of [...hosts, '169.254.169.254', '10.0.0.8', '192.168.1.1', '[fd00::1]', '0.0.0.0']) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule(`http://${host}:8080/hook`) });
      expect(res.statusCode, host).toBe(400);
      expect(res.json(), host).toEqual({
        code: 'PULSE_ERR_VALIDATION',
        message: expect.stringMatching(/^notify\[0\]\.url: .+ is an? .+ address; .*--webhook-allow/),
      });
    }
    const ok = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule('https://hooks.example.com/x') });
    expect(ok.statusCode).toBe(201);
    const put = await app.inject({
      method: 'PUT',
      url: `/api/v1/rules/${ok.json().id}`,
      payload: rule('http://169.254.169.254/latest/meta-data'),
    });
    expect(put.json().message).toMatch(/^notify\[0\]\.url: 169\.254\.169\.254 is a link-local address/);
  });

  it('delivers a critical rule while 60 rules send to 20 receivers each that never answer', async () => {
    const { app } = await setup({ webhookAllow: ['127.0.0.0/8'] });
    const hanging = await server(cleanups, () => {});
    const received: WebhookPayload[] = [];
    const pager = await server(cleanups, (req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        received.push(JSON.parse(text) as WebhookPayload);
        res.end('ok');
      });
    });
    for (let r = 0; r < 60; r++) {
      const notify = Array.from({ length: 20 }, (_, t) => ({ type: 'webhook', url: `${hanging}/r${r}/t${t}` }));
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/rules',
        payload: { ...rule(''), name: `noisy ${r}`, severity: 'warning', notify },
      });
      expect(res.statusCode).toBe(201);
    }
    await app.inject({ method: 'POST', url: '/api/v1/rules', payload: { ...rule(`${pager}/hook`), name: 'pager' } });
    // Every rule fires once traffic arrives: 1,200 messages that hang, and the pager's one.
    const traffic = setInterval(() => {
      const request = { service: 'checkout', name: 'http.server.request.duration', type: 'histogram', value: 5 };
      void ingest(app, [request]).catch(() => {});
    }, 200);
    cleanups.push(() => clearInterval(traffic));
    const fired = await until(() => received.find((p) => p.ruleName === 'pager'));
    expect(fired).toMatchObject({ state: 'firing', service: 'checkout', severity: 'critical' });
    // Counted once the pager's answer has been read, just after the receiver saw the message.
    const delivered = /^pulseboard_notifications_total\{outcome="delivered"\} 1$/m;
    const metrics = await until(async () => {
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      return delivered.test(text) ? text : undefined;
    });
    expect(metrics).not.toMatch(/outcome="dropped"/);
  }, 30_000);

  async function setup(overrides: Partial<Config>) {
    const handle = await startTestApp({ defaultRules: false, ...overrides });
    cleanups.push(() => handle.app.close());
    // Evaluation runs on the live ticker's frames, which need a listening server.
    await handle.app.listen({ port: 0, host: '127.0.0.1' });
    return handle;
  }
});

function rule(url: string) {
  return {
    name: 'any traffic',
    service: '*',
    signal: 'rate',
    condition: { type: 'threshold', op: '>', value: 0 },
    window: '5s',
    severity: 'critical',
    notify: url ? [{ type: 'webhook', url }] : [],
  };
}

async function server(cleanups: (() => Promise<void> | void)[], handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    s.closeAllConnections();
    return new Promise<void>((resolve) => s.close(() => resolve()));
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function until<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
