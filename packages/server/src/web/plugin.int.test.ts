import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
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
    const js = path.join(root, 'assets', 'app-abc123.js');
    fs.writeFileSync(js, 'console.log(1)');
    // The copies `npm run build` writes beside each asset (scripts/compress.ts).
    fs.writeFileSync(`${js}.br`, zlib.brotliCompressSync('console.log(1)'));
    fs.writeFileSync(`${js}.gz`, zlib.gzipSync('console.log(1)'));
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
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await app.inject({ url: '/api/v1/services' })).json()).toEqual({ services: [] });
    for (const url of ['/api/v1/nope', '/v1/x', '/docsx', '/metrics/x', '/healthz/x', '/readyz/x', '/assets/old.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code, url).toBe('PULSE_ERR_NOT_FOUND');
    }
  });

  it("sends the build's brotli or gzip copy as the browser accepts, and says it varies by that", async () => {
    const { app } = await setup({ built: true });
    const get = (url: string, acceptEncoding?: string) =>
      app.inject({ url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });
    const br = await get('/assets/app-abc123.js', 'gzip, deflate, br, zstd');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe('console.log(1)');
    const gzip = await get('/assets/app-abc123.js', 'gzip;q=1, br;q=0');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gzip.rawPayload).toString()).toBe('console.log(1)');
    const plain = await get('/assets/app-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe('console.log(1)');
    // The page itself too, with its settings tag, and never cached without asking; a service whose name
    // ends like a file's (a callee named by its address) has its page.
    expect((await get('/services/127.0.0.1', 'br')).headers['content-type']).toBe('text/html; charset=utf-8');
    const page = await get('/services/x', 'br');
    expect(page.headers['content-encoding']).toBe('br');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(zlib.brotliDecompressSync(page.rawPayload).toString()).toContain('pulseboard-config');
  });

  it('does nothing without a build', async () => {
    const { app } = await setup({ built: false });
    expect((await app.inject({ url: '/' })).statusCode).toBe(404);
  });

  it('decides the fallback and escapes the config for an attribute', () => {
    expect(spaFallbackApplies('/services/a?x=1')).toBe(true);
    expect(spaFallbackApplies('/api')).toBe(false);
    expect(spaFallbackApplies('/favicon.ico')).toBe(false);
    // Service names may end like files.
    expect(spaFallbackApplies('/services/127.0.0.1')).toBe(true);
    expect(spaFallbackApplies('/services/payments.v2?from=now-1h')).toBe(true);
    expect(spaFallbackApplies('/services/a/b.js')).toBe(false);
    expect(pageConfigTag({ a: '"><script>&' })).toBe(
      '<meta name="pulseboard-config" content="{&quot;a&quot;:&quot;\\&quot;&gt;&lt;script&gt;&amp;&quot;}">',
    );
  });
});
