import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Config } from '../config.ts';
import { startTestApp } from '../testing/test-app.ts';

const INGEST = 'ingest-key-0123456789';
const READ = 'read-key-0123456789';
const ADMIN = 'admin-key-0123456789';
const KEYS: Config['keys'] = [
  { role: 'ingest', secret: INGEST, label: null },
  { role: 'read', secret: READ, label: 'wall' },
  { role: 'admin', secret: ADMIN, label: null },
];

describe('page session', () => {
  it('logs in with a read key into an HttpOnly, SameSite=Strict cookie, and logs out', async () => {
    const { app } = await setup();
    expect((await app.inject({ url: '/api/v1/session' })).json()).toEqual({ auth: true, role: null });

    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { key: READ } });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toEqual({ auth: true, role: 'read', label: 'wall' });
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^pulseboard_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const cookie = setCookie.split(';')[0]!;

    expect((await app.inject({ url: '/api/v1/session', headers: { cookie } })).json()).toMatchObject({ role: 'read' });
    expect((await app.inject({ url: '/api/v1/services', headers: { cookie } })).statusCode).toBe(200);
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/services/x', headers: { cookie } });
    expect(del.statusCode).toBe(403);

    const logout = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    expect(String(logout.headers['set-cookie'])).toMatch(/^pulseboard_session=; Path=\/; .*Max-Age=0/);
    const after = await app.inject({ url: '/api/v1/services', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toMatch(/session has ended/);
    // A stale cookie does not stop the public routes (the page must load to show its login).
    expect((await app.inject({ url: '/api/v1/session', headers: { cookie } })).json()).toEqual({
      auth: true,
      role: null,
    });
  });

  it('refuses a wrong key, an ingest key and a bad body, and marks the cookie Secure behind https', async () => {
    const { app } = await setup();
    const login = (payload: unknown, headers = {}) =>
      app.inject({ method: 'POST', url: '/api/v1/session', payload: payload as object, headers });
    expect((await login({ key: 'nope' })).json()).toEqual({
      code: 'PULSE_ERR_UNAUTHORIZED',
      message: 'key: not a valid key',
    });
    const ingest = await login({ key: INGEST });
    expect(ingest.statusCode).toBe(403);
    expect(ingest.json().message).toMatch(/ingest key cannot open the dashboard/);
    expect((await login({ token: READ })).statusCode).toBe(400);
    const https = await login({ key: ADMIN }, { 'x-forwarded-proto': 'https' });
    expect(String(https.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  it('ends a session after 12 hours', async () => {
    let t = 1_764_000_000_000;
    const { app } = await setup({}, () => t);
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { key: READ } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    t += 12 * 3_600_000 - 1;
    expect((await app.inject({ url: '/api/v1/services', headers: { cookie } })).statusCode).toBe(200);
    t += 1;
    expect((await app.inject({ url: '/api/v1/services', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('live socket: keys and Origin', () => {
  it('accepts the session cookie or a Bearer key from its own origin, and refuses other pages', async () => {
    const { app } = await setup();
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { key: READ } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const own = { host: 'localhost:3000', origin: 'http://localhost:3000' };

    const live = await listen(app);
    expect(await live({ ...own, cookie })).toBe('hello');
    expect(await live({ authorization: `Bearer ${READ}` })).toBe('hello');
    expect(await live(own)).toBe(401);
    expect(await live({ authorization: `Bearer ${INGEST}` })).toBe(403);
    expect(await live({ ...own, origin: 'http://evil.example', cookie })).toBe(403);
  });

  it('closes a live socket opened with a session when that session logs out', async () => {
    const { app } = await setup();
    const login = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { key: READ } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const socket = new WebSocket(`${address.replace('http', 'ws')}/api/v1/live`, { headers: { cookie } });
    await new Promise((resolve, reject) => socket.once('message', resolve).once('error', reject));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const logout = await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });

  it('refuses a foreign Origin without keys too, and accepts one given with --allowed-origin', async () => {
    const { app } = await setup({ keys: [], allowedOrigins: ['http://localhost:5173'] });
    const live = await listen(app);
    const own = { host: 'localhost:3000' };
    expect(await live({ ...own, origin: 'http://evil.example' })).toBe(403);
    expect(await live({ ...own, origin: 'null' })).toBe(403);
    expect(await live({ ...own, origin: 'http://localhost:5173' })).toBe('hello');
    expect(await live({ ...own, origin: 'http://localhost:3000' })).toBe('hello');
    const res = await app.inject({
      url: '/api/v1/live',
      headers: { origin: 'http://evil.example', host: 'localhost' },
    });
    expect(res.json()).toMatchObject({ code: 'PULSE_ERR_FORBIDDEN', message: expect.stringMatching(/^Origin: /) });
  });
});

describe('Host check (DNS rebinding)', () => {
  it('without keys answers only IP literals, localhost and listed names', async () => {
    const { app } = await setup({ keys: [], allowedHosts: ['dash.internal'] });
    const status = async (host: string) =>
      (await app.inject({ url: '/api/v1/services', headers: { host } })).statusCode;
    expect(await status('localhost:3000')).toBe(200);
    expect(await status('127.0.0.1:3000')).toBe(200);
    expect(await status('[::1]:3000')).toBe(200);
    expect(await status('10.0.0.7')).toBe(200);
    expect(await status('dash.internal:3000')).toBe(200);
    const refused = await app.inject({ url: '/api/v1/services', headers: { host: 'attacker.example:3000' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toBe(
      'Host: "attacker.example" is not a name of this server (DNS rebinding guard); add --allowed-host attacker.example',
    );
  });

  it('with keys answers any name unless a list is given', async () => {
    const open = await setup();
    const anyName = await open.app.inject({ url: '/api/v1/services', headers: { host: 'dash.example.com' } });
    expect(anyName.statusCode).toBe(401);
    await close();
    const listed = await setup({ allowedHosts: ['dash.example.com'] });
    const other = await listed.app.inject({ url: '/healthz', headers: { host: 'other.example.com' } });
    expect(other.statusCode).toBe(403);
    expect((await listed.app.inject({ url: '/healthz', headers: { host: 'dash.example.com' } })).statusCode).toBe(200);
  });
});

/** A real listening server; `live(headers)` opens the socket and says 'hello' or the refusal's HTTP status. */
async function listen(app: FastifyInstance) {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${address.replace('http', 'ws')}/api/v1/live`;
  return (headers: Record<string, string>) =>
    new Promise<string | number>((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      socket.once('message', (data) => {
        resolve((JSON.parse(data.toString()) as { type: string }).type);
        socket.terminate();
      });
      socket.once('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.once('error', reject);
    });
}

let close: () => Promise<void> = async () => {};
afterEach(() => close());

async function setup(overrides: Partial<Config> = {}, now?: () => number): Promise<{ app: FastifyInstance }> {
  const started = await startTestApp({ keys: KEYS, ...overrides }, now);
  close = () => started.app.close();
  return started;
}
