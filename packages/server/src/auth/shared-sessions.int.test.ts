import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Config } from '../config.ts';
import { killHard, waitUntil } from '../testing/processes.ts';
import {
  dropKeys,
  quietPort,
  REDIS_SERVER,
  redisReachable,
  startRedis,
  TEST_REDIS_URL,
  testPrefix,
} from '../testing/redis.ts';
import { startTestApp } from '../testing/test-app.ts';

const READ = 'read-key-0123456789';
const KEYS: Config['keys'] = [{ role: 'read', secret: READ, label: 'wall' }];

const up = await redisReachable('shared sessions test (auth/shared-sessions.int.test.ts)');
const ownRedis = fs.existsSync(REDIS_SERVER);
if (!ownRedis) process.stderr.write(`NOTICE: shared sessions outage test skipped: no ${REDIS_SERVER}\n`);

/** Two instances of one cluster behind a load balancer that does not stick a browser to either. */
describe.skipIf(!up)('page sessions shared through Redis', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const twoInstances = async (redis = TEST_REDIS_URL) => {
    const prefix = testPrefix();
    cleanups.push(() => dropKeys(prefix));
    const start = async () => {
      const { app } = await startTestApp({ keys: KEYS, redis, redisPrefix: prefix });
      cleanups.push(() => app.close());
      return app;
    };
    return { prefix, a: await start(), b: await start() };
  };
  const login = async (app: FastifyInstance) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { key: READ } });
    expect(res.statusCode).toBe(200);
    return String(res.headers['set-cookie']).split(';')[0]!;
  };
  const read = async (app: FastifyInstance, cookie: string) =>
    (await app.inject({ url: '/api/v1/services', headers: { cookie } })).statusCode;

  it('a login on A is accepted on B at once; a logout on B ends it on A, live socket included', async () => {
    const { a, b } = await twoInstances();
    const cookie = await login(a);
    expect(await read(b, cookie)).toBe(200);
    expect((await b.inject({ url: '/api/v1/session', headers: { cookie } })).json()).toMatchObject({
      role: 'read',
      label: 'wall',
    });

    const address = await a.listen({ port: 0, host: '127.0.0.1' });
    const socket = new WebSocket(`${address.replace('http', 'ws')}/api/v1/live`, { headers: { cookie } });
    await new Promise((resolve, reject) => socket.once('message', resolve).once('error', reject));
    const closed = new Promise((resolve) => socket.once('close', resolve));

    const logout = await b.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    expect(await read(b, cookie)).toBe(401);
    // A hears of the logout through Redis: its socket of that session closes, and the cookie is refused.
    await closed;
    expect(socket.readyState).toBe(WebSocket.CLOSED);
    expect(await read(a, cookie)).toBe(401);
  });

  it('refuses a cookie no instance opened, and a session whose stored value is not one', async () => {
    const { prefix, a, b } = await twoInstances();
    const made = 'pulseboard_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(await read(b, made)).toBe(401);
    const cookie = await login(a);
    const redis = new Redis(TEST_REDIS_URL);
    cleanups.push(async () => redis.disconnect());
    const [stored] = await redis.keys(`${prefix}:session:*`);
    expect(stored).toBeDefined();
    // The id itself is never stored, only its digest.
    expect(stored).not.toContain(cookie.split('=')[1]);
    await redis.set(stored!, JSON.stringify({ role: 'superuser', label: null }), 'PX', 60_000);
    expect(await read(b, cookie)).toBe(401);
    await redis.set(stored!, 'not json', 'PX', 60_000);
    expect(await read(b, cookie)).toBe(401);
    // A opened it: it still answers from its own table.
    expect(await read(a, cookie)).toBe(200);
  });

  it.skipIf(!ownRedis)(
    'while Redis is away: a login works where it was made, a cookie from elsewhere is a 401',
    async () => {
      const port = await quietPort();
      const redis = await startRedis(port);
      cleanups.push(() => killHard(redis));
      const { a, b } = await twoInstances(`redis://127.0.0.1:${port}`);
      const before = await login(a);
      expect(await read(b, before)).toBe(200);

      await killHard(redis);
      // Both have seen the connection go (commands then fail at once instead of waiting for it).
      const connectionErrors = async (app: FastifyInstance) => {
        const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${READ}` } });
        const line = /pulseboard_cluster_redis_errors_total\{during="connection"\} (\d+)/.exec(res.body);
        return Number(line?.[1] ?? 0);
      };
      await waitUntil(async () => (await connectionErrors(a)) > 0 && (await connectionErrors(b)) > 0);
      const during = await login(a);
      expect(await read(a, during)).toBe(200);
      expect(await read(b, during)).toBe(401);
      // A session B had already seen is still known there.
      expect(await read(b, before)).toBe(200);
      const logout = await a.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie: during } });
      expect(logout.statusCode).toBe(204);
      expect(await read(a, during)).toBe(401);
    },
    60_000,
  );
});
