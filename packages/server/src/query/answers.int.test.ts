import {
  HealthResponseSchema,
  OverviewResponseSchema,
  RedResponseSchema,
  SeriesResponseSchema,
} from '@pulseboard/shared';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;

/**
 * The read routes with many points write their answers with JSON.stringify (plugin.ts), not the serializer
 * compiled from the response schema, which dropped any field the schema does not name. These answers must
 * hold exactly the schema's fields: nothing internal may reach a client, and the docs must stay true.
 */
describe('answers written natively hold exactly what their schema describes', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>['app'];
  beforeAll(async () => {
    ({ app } = await startTestApp({}, () => NOW));
    const points = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => [from + Math.floor((i * 10 * MIN) / n), 5 + (i % 40)]);
    const metrics = [
      // Two routes, errors, and a service that starts inside the range (its series carry `since`).
      ...[200, 500].map((status) => ({
        service: 'checkout',
        name: 'http.server.request.duration',
        type: 'histogram',
        unit: 'ms',
        attributes: { 'http.route': '/pay', 'http.response.status_code': status },
        points: points(NOW - 20 * MIN, 200),
      })),
      {
        service: 'checkout',
        name: 'http.server.request.duration',
        type: 'histogram',
        unit: 'ms',
        attributes: { 'http.route': '/cart', 'http.response.status_code': 200 },
        points: points(NOW - 20 * MIN, 50),
      },
      { service: 'checkout', name: 'queue.depth', type: 'gauge', points: points(NOW - 20 * MIN, 20) },
    ];
    const res = await app.inject({ method: 'POST', url: '/api/v1/metrics', payload: { metrics } });
    expect(res.statusCode).toBe(202);
  });
  afterAll(() => app.close());

  const range = `from=${NOW - 30 * MIN}&to=${NOW}`;
  it.each<[string, TSchema]>([
    [`/api/v1/red?${range}&maxPoints=30`, RedResponseSchema],
    [`/api/v1/red?${range}&maxPoints=30&groupBy=route`, RedResponseSchema],
    [`/api/v1/red?${range}&maxPoints=30&total=true`, RedResponseSchema],
    [`/api/v1/overview?${range}`, OverviewResponseSchema],
    [`/api/v1/health?${range}&maxPoints=30`, HealthResponseSchema],
    [`/api/v1/series?${range}&maxPoints=30&metric=queue.depth`, SeriesResponseSchema],
    [`/api/v1/series?${range}&maxPoints=30&metric=http.server.request.duration&stat=p99`, SeriesResponseSchema],
  ])('%s', async (url, schema) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body: unknown = res.json();
    expect([...Value.Errors(schema, body)]).toEqual([]);
    // Clean drops what the schema does not name: nothing may be dropped.
    expect(Value.Clean(schema, structuredClone(body))).toEqual(body);
    expect(JSON.stringify(body)).toContain('checkout');
  });

  it('would notice a field the schema does not name', () => {
    const answer = { from: 0, to: 1, step: 1, series: [{ service: 'a', points: [], internal: 1 }] };
    expect(Value.Clean(RedResponseSchema, structuredClone(answer))).not.toEqual(answer);
  });
});
