import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.ts';
import { webPlugin } from './plugin.ts';
import { pageConfigTag, spaFallbackApplies } from './spa.ts';

async function setup(options: { built: boolean }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-web-'));
  if (options.built) {
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<html><head><title>t</title></head><body></body></html>');
    fs.writeFileSync(path.join(root, 'assets', 'app-abc123.js'), 'console.log(1)');
  }
  const app = Fastify();
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ code: 'PULSE_ERR_NOT_FOUND', message: `no route ${request.method} ${request.url}` }),
  );
  app.get('/api/v1/services', async () => ({ services: [] }));
  await app.register(webPlugin, { core: { config: defaultConfig() }, root });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { app };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('web plugin', () => {
  it('serves the page at / and client routes, with the server settings in a meta tag', async () => {
    const { app } = await setup({ built: true });
    for (const url of ['/', '/services/checkout?from=now-5m', '/index.html']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<meta name="pulseboard-config" content="{&quot;healthTargets&quot;');
    }
  });

  it('serves hashed assets for good and keeps JSON 404s for API-like and missing paths', async () => {
    const { app } = await setup({ built: true });
    const asset = await app.inject({ url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/api/v1/services' })).json()).toEqual({ services: [] });
    for (const url of ['/api/v1/nope', '/v1/x', '/docsx', '/metrics/x', '/healthz/x', '/readyz/x', '/assets/old.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe('PULSE_ERR_NOT_FOUND');
    }
  });

  it('does nothing without a build', async () => {
    const { app } = await setup({ built: false });
    expect((await app.inject({ url: '/' })).statusCode).toBe(404);
  });

  it('decides the fallback and escapes the config for an attribute', () => {
    expect(spaFallbackApplies('/services/a?x=1')).toBe(true);
    expect(spaFallbackApplies('/api')).toBe(false);
    expect(spaFallbackApplies('/favicon.ico')).toBe(false);
    expect(pageConfigTag({ a: '"><script>&' })).toBe(
      '<meta name="pulseboard-config" content="{&quot;a&quot;:&quot;\\&quot;&gt;&lt;script&gt;&amp;&quot;}">',
    );
  });
});
