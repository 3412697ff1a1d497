import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, startTestApp } from './testing/test-app.ts';

interface Operation {
  parameters?: { in: string; name: string; schema: { type?: string } }[];
  responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

describe('the OpenAPI document (/docs/json)', () => {
  let app: FastifyInstance;
  let doc: OpenApi;
  beforeAll(async () => {
    ({ app } = await startTestApp());
    doc = (await getJson<OpenApi>(app, '/docs/json')).body;
  });
  afterAll(() => app.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([m, op]) => ({ at: `${m} ${path}`, op })),
    );

  it('documents the error answers of every route: {code, message}, or google.rpc.Status on OTLP routes', () => {
    for (const { at, op } of operations()) {
      for (const status of ['4XX', '5XX']) {
        const schema = op.responses[status]?.content?.['application/json']?.schema;
        expect(Object.keys(schema?.properties ?? {}), `${at} ${status}`).toEqual(['code', 'message']);
      }
    }
    const otlp = doc.paths['/v1/metrics']!.post!.responses['4XX']!.content!['application/json']!.schema;
    expect(otlp.properties!.code).toMatchObject({ type: 'integer' });
  });

  it('types numeric and flag query parameters as what they are, not as strings', () => {
    const typeOf = (path: string, name: string, method = 'get') =>
      doc.paths[path]![method]!.parameters!.find((p) => p.in === 'query' && p.name === name)!.schema.type;
    for (const path of ['/api/v1/red', '/api/v1/health', '/api/v1/series'])
      expect(typeOf(path, 'maxPoints')).toBe('integer');
    expect(typeOf('/api/v1/red', 'total')).toBe('boolean');
    expect(typeOf('/api/v1/alerts', 'limit')).toBe('integer');
  });

  it('serves Swagger UI, built on the first request, and a 404 for what it does not have', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Swagger UI');
    const css = await app.inject({ method: 'GET', url: '/docs/static/index.css' });
    expect(css.statusCode).toBe(200);
    const again = await app.inject({
      method: 'GET',
      url: '/docs/static/index.css',
      headers: { 'if-none-match': String(css.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    // `/docs/*` must not fall through to the page's `/*` (a route the docs app holds for its schema only).
    for (const url of ['/docs/nope', '/docs/static/nope.js'])
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
  });

  it('still answers a bad parameter with a 400 that names it', async () => {
    for (const [url, name] of [
      ['/api/v1/red?maxPoints=ten', 'maxPoints'],
      ['/api/v1/red?total=yes', 'total'],
      ['/api/v1/red?groupBy=host', 'groupBy'],
      ['/api/v1/series?stat=p99', 'metric'],
      ['/api/v1/alerts?limit=0', 'limit'],
    ] as const) {
      const res = await getJson<{ code: string; message: string }>(app, url);
      expect(res.status, url).toBe(400);
      expect(res.body.message.startsWith(`${name}:`), res.body.message).toBe(true);
    }
  });
});
