import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from './testing/test-app.ts';

describe('bodies of requests other than ingest', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('are refused past 64 KiB with 413 naming the limit, before they are parsed; ingest takes more', async () => {
    const { app } = await startTestApp({}, () => 1_800_000_000_000);
    close = () => app.close();
    // 70 KB of empty objects: Fastify's parser held the main thread for seconds on 15 MB of them.
    const big = `{"x":[${Array(23_000).fill('{}').join(',')}]}`;
    for (const url of ['/api/v1/rules', '/api/v1/session', '/no/such/route']) {
      const res = await app.inject({
        method: 'POST',
        url,
        payload: big,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, url).toBe(413);
      expect(res.json(), url).toEqual({
        code: 'PULSE_ERR_BODY_TOO_LARGE',
        message: 'body: over 64 KiB, the limit for requests other than ingest',
      });
    }
    const metrics = Array.from({ length: 1_000 }, (_, i) => ({
      service: 's',
      name: 'queue.depth',
      type: 'gauge',
      value: i,
      timestamp: 1_800_000_000_000,
      attributes: { queue: `q${i}` },
    }));
    const payload = JSON.stringify({ metrics });
    expect(payload.length).toBeGreaterThan(64 * 1024);
    const ingest = await app.inject({
      method: 'POST',
      url: '/api/v1/metrics',
      payload,
      headers: { 'content-type': 'application/json' },
    });
    expect(ingest.statusCode).toBe(202);
  });

  it('are refused with 415 naming content-encoding when compressed; ingest takes gzip', async () => {
    const { app } = await startTestApp({}, () => 1_800_000_000_000);
    close = () => app.close();
    const gzip = (body: unknown) => gzipSync(JSON.stringify(body));
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    // Read as it came, the gzip bytes used to be answered "Body is not valid JSON".
    for (const url of ['/api/v1/rules', '/api/v1/session']) {
      const res = await app.inject({ method: 'POST', url, payload: gzip({ name: 'x' }), headers });
      expect(res.statusCode, url).toBe(415);
      expect(res.json<{ message: string }>().message, url).toMatch(/^content-encoding: gzip is accepted only by/);
    }
    const plain = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: '{"name":"x"}',
      headers: { 'content-type': 'application/json', 'content-encoding': 'identity' },
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json<{ message: string }>().message).not.toMatch(/content-encoding|not valid JSON/);
    const metrics = [{ service: 's', name: 'q', type: 'gauge', value: 1, timestamp: 1_800_000_000_000 }];
    const ingest = await app.inject({ method: 'POST', url: '/api/v1/metrics', payload: gzip({ metrics }), headers });
    expect(ingest.statusCode).toBe(202);
  });

  it('are refused with 400 when not UTF-8, and nothing of them is stored', async () => {
    const { app } = await startTestApp({}, () => 1_800_000_000_000);
    close = () => app.close();
    const rule = (name: Buffer) =>
      Buffer.concat([
        Buffer.from('{"name":"'),
        name,
        Buffer.from('","service":"*","signal":"rate","condition":{"type":"threshold","op":">","value":0},'),
        Buffer.from('"window":"5s","severity":"critical"}'),
      ]);
    const headers = { 'content-type': 'application/json' };
    // Read as a string, 0xFF became U+FFFD and the rule was stored under a name its sender never wrote.
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/rules',
      payload: rule(Buffer.from([0x61, 0xff])),
      headers,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 'PULSE_ERR_INVALID_TEXT',
      message: 'body: not valid UTF-8 (JSON text is UTF-8)',
    });
    const rules = await app.inject({ method: 'GET', url: '/api/v1/rules' });
    expect(rules.body).not.toContain('\ufffd');
    const ok = await app.inject({ method: 'POST', url: '/api/v1/rules', payload: rule(Buffer.from('a é')), headers });
    expect(ok.statusCode).toBe(201);
  });
});
