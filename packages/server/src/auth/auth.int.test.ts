import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { defaultConfig } from '../config.ts';
import { startTestApp } from '../testing/test-app.ts';

const INGEST = 'ingest-key-0123456789';
const READ = 'read-key-0123456789';
const ADMIN = 'admin-key-0123456789';
const WRONG = 'wrong-key-0123456789';

const ITEM = { service: 'checkout', name: 'http.server.request.duration', type: 'histogram', value: 12 };

type Request = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; payload?: object };
/** One request per route class; the answer with the right key is anything but 401/403. */
const ROUTES: Record<'public' | 'ingest' | 'read' | 'admin', Request[]> = {
  public: [
    { method: 'GET', url: '/healthz' },
    { method: 'GET', url: '/readyz' },
    { method: 'GET', url: '/api/v1/session' },
  ],
  ingest: [
    { method: 'POST', url: '/api/v1/metrics', payload: { metrics: [ITEM] } },
    { method: 'POST', url: '/v1/metrics', payload: { resourceMetrics: [] } },
    { method: 'POST', url: '/v1/traces', payload: { resourceSpans: [] } },
  ],
  read: [
    { method: 'GET', url: '/api/v1/services' },
    { method: 'GET', url: '/api/v1/red?from=now-5m' },
    { method: 'GET', url: '/api/v1/alerts' },
    { method: 'GET', url: '/metrics' },
    { method: 'GET', url: '/docs/json' },
  ],
  admin: [
    { method: 'DELETE', url: '/api/v1/services/checkout' },
    { method: 'POST', url: '/api/v1/rules', payload: {} },
    { method: 'DELETE', url: '/api/v1/rules/nope' },
    { method: 'POST', url: '/api/v1/silences', payload: { service: 'checkout', duration: '1h' } },
    { method: 'POST', url: '/api/v1/alerts/nope/ack', payload: { by: 'alice' } },
  ],
};
const KEYS = { none: undefined, wrong: WRONG, ingest: INGEST, read: READ, admin: ADMIN } as const;

describe('keys: who may call what', () => {
  it('answers each route class by key: none, wrong, ingest, read, admin', async () => {
    const { app } = await setup();
    const got: string[] = [];
    const want: string[] = [];
    let address = 0;
    for (const [kind, requests] of Object.entries(ROUTES)) {
      for (const request of requests) {
        for (const [who, key] of Object.entries(KEYS)) {
          // A fresh address per request, so the wrong keys do not add up to the bad-key block.
          const res = await send(app, request, key, `10.0.0.${++address % 250}`);
          const status = res.statusCode === 401 || res.statusCode === 403 ? res.statusCode : 'ok';
          got.push(`${who} ${request.method} ${request.url}: ${status}`);
          want.push(`${who} ${request.method} ${request.url}: ${expected(kind, who)}`);
        }
      }
    }
    expect(got).toEqual(want);
  });

  it('names the problem in the refusal, and OTLP routes answer in their own format', async () => {
    const { app } = await setup();
    const none = await send(app, { method: 'GET', url: '/api/v1/services' }, undefined);
    expect(none.json()).toEqual({ code: 'PULSE_ERR_UNAUTHORIZED', message: expect.stringMatching(/Bearer KEY/) });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const reader = await send(app, { method: 'DELETE', url: '/api/v1/services/checkout' }, READ);
    expect(reader.json()).toEqual({
      code: 'PULSE_ERR_FORBIDDEN',
      message: 'A read key cannot do this: it needs an admin key',
    });
    const ingester = await send(app, { method: 'GET', url: '/api/v1/services' }, INGEST);
    expect(ingester.json().message).toBe('An ingest key cannot do this: it needs a read or admin key');
    const otlp = await send(app, { method: 'POST', url: '/v1/metrics', payload: { resourceMetrics: [] } }, undefined);
    expect(otlp.statusCode).toBe(401);
    expect(otlp.json()).toEqual({ code: 16, message: expect.stringMatching(/needs a key/) });
    const otlpRead = await send(app, { method: 'POST', url: '/v1/metrics', payload: { resourceMetrics: [] } }, READ);
    expect(otlpRead.json()).toMatchObject({ code: 7 });
    const badHeader = await app.inject({ url: '/api/v1/services', headers: { authorization: `Basic ${READ}` } });
    expect(badHeader.json().message).toBe('Authorization: must be "Bearer KEY"');
  });

  it('answers 429 with Retry-After to an address after 10 bad keys, counted in /metrics', async () => {
    let t = 1_764_000_000_000;
    const { app } = await setup({}, () => t);
    const services = { method: 'GET', url: '/api/v1/services' } as const;
    for (let i = 0; i < 10; i++) expect((await send(app, services, WRONG, '10.1.1.1')).statusCode).toBe(401);
    const blocked = await send(app, services, READ, '10.1.1.1');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().code).toBe('PULSE_ERR_RATE_LIMITED');
    expect(blocked.headers['retry-after']).toBe('60');
    // The page's login is refused the same way; other addresses are not affected.
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { key: READ },
      remoteAddress: '10.1.1.1',
    });
    expect(login.statusCode).toBe(429);
    expect((await send(app, services, READ, '10.1.1.2')).statusCode).toBe(200);
    t += 30_000;
    expect((await send(app, services, READ, '10.1.1.1')).headers['retry-after']).toBe('30');
    t += 30_000;
    expect((await send(app, services, READ, '10.1.1.1')).statusCode).toBe(200);
    const metrics = (await send(app, { method: 'GET', url: '/metrics' }, READ)).body;
    expect(metrics).toMatch(/^pulseboard_auth_failures_total 10$/m);
    expect(metrics).toMatch(/^pulseboard_auth_throttled_total 3$/m);
  });

  it('throttles the client a trusted proxy names (X-Forwarded-For), not the proxy; an untrusted one names nobody', async () => {
    const { app } = await setup({ trustProxy: ['10.9.0.0/16'] });
    const services = { method: 'GET', url: '/api/v1/services' } as const;
    const through = (client: string, key: string, proxy = '10.9.0.5') =>
      app.inject({
        ...services,
        remoteAddress: proxy,
        headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client },
      });
    for (let i = 0; i < 10; i++) expect((await through('203.0.113.7', WRONG)).statusCode).toBe(401);
    expect((await through('203.0.113.7', READ)).statusCode).toBe(429);
    // Another client behind the same load balancer is not blocked with the first.
    expect((await through('203.0.113.8', READ)).statusCode).toBe(200);
    // A client that is not a trusted proxy cannot pick the address it is throttled as.
    for (let i = 0; i < 10; i++) expect((await through(`198.51.100.${i}`, WRONG, '10.1.1.1')).statusCode).toBe(401);
    expect((await through('198.51.100.99', READ, '10.1.1.1')).statusCode).toBe(429);
  });

  it('records the key role and label with the name on silences, and only admin may silence', async () => {
    const { app } = await setup({ keys: [{ role: 'admin', secret: ADMIN, label: 'ops' }] });
    const payload = { service: 'checkout', duration: '1h', createdBy: 'alice' };
    const res = await send(app, { method: 'POST', url: '/api/v1/silences', payload }, ADMIN);
    expect(res.statusCode).toBe(201);
    expect(res.json().createdBy).toBe('alice (admin key "ops")');
    const anonymous = await send(
      app,
      { method: 'POST', url: '/api/v1/silences', payload: { service: 'x', duration: '1h' } },
      ADMIN,
    );
    expect(anonymous.json().createdBy).toBe('admin key "ops"');
  });

  it('sends security headers on every response', async () => {
    const { app } = await setup();
    for (const url of ['/healthz', '/api/v1/services', '/docs/json']) {
      const res = await app.inject({ url });
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    }
    const docs = await send(app, { method: 'GET', url: '/docs/' }, READ);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(docs.headers['content-security-policy']).toMatch(/script-src 'self';/);
  });
});

describe('without keys', () => {
  it('answers everything as before, with no session needed', async () => {
    const { app } = await setup({ keys: [] });
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/services/checkout' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/services' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/session' })).json()).toEqual({ auth: false, role: 'admin' });
    const silence = await app.inject({
      method: 'POST',
      url: '/api/v1/silences',
      payload: { service: 'checkout', duration: '1h', createdBy: 'alice' },
    });
    expect(silence.json().createdBy).toBe('alice');
  });
});

function expected(kind: string, who: string): 401 | 403 | 'ok' {
  if (who === 'wrong') return 401;
  if (kind === 'public') return 'ok';
  if (who === 'none') return 401;
  return who === 'admin' || who === kind ? 'ok' : 403;
}

function send(app: FastifyInstance, request: Request, key: string | undefined, remoteAddress = '127.0.0.1') {
  const options: InjectOptions = {
    ...request,
    remoteAddress,
    ...(key ? { headers: { authorization: `Bearer ${key}` } } : {}),
  };
  return app.inject(options);
}

let close: () => Promise<void> = async () => {};
afterEach(() => close());

async function setup(overrides: Partial<ReturnType<typeof defaultConfig>> = {}, now?: () => number) {
  const keys = [
    { role: 'ingest', secret: INGEST, label: null },
    { role: 'read', secret: READ, label: null },
    { role: 'admin', secret: ADMIN, label: null },
  ] as const;
  const started = await startTestApp({ keys, ...overrides }, now);
  close = () => started.app.close();
  return started;
}
