import { countObservations, DemoGenerator, encodingFor } from '@pulseboard/demo';
import type { CallsResponse, RedResponse, ServicesResponse } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { getJson, startTestApp } from '../../../testing/test-app.ts';

const NOW = 1_795_881_944_000;
const SECOND = NOW - 5000;

describe('demo CLI --format otlp-traces against /v1/traces', () => {
  it('stores one request per generated observation, with errors, and the calls between the services', async () => {
    const { app } = await startTestApp({}, () => NOW);
    const items = new DemoGenerator({ seed: 5, origin: NOW - 3_600_000 }).observe(SECOND, SECOND + 1000);
    const requests = items.filter((i) => i.type === 'histogram');
    const encoding = encodingFor('otlp-traces');
    const res = await app.inject({
      method: 'POST',
      url: encoding.path,
      headers: { 'content-type': encoding.contentType },
      payload: Buffer.from(encoding.encode(items)),
    });
    expect(res.statusCode).toBe(200);
    expect(encoding.outcome(res.rawPayload, items)).toEqual({
      observations: countObservations(requests),
      rejectedPoints: 0,
      message: undefined,
    });

    const range = `from=${NOW - 60_000}&to=${NOW}&maxPoints=1`;
    const { body } = await getJson<RedResponse>(app, `/api/v1/red?${range}`);
    const points = body.series.flatMap((s) => s.points);
    expect(points.reduce((n, p) => n + p.count, 0)).toBe(countObservations(requests));
    const errors = points.reduce((n, p) => n + p.count * (p.errorRate ?? 0), 0);
    const sentErrors = requests.filter((i) => Number(i.attributes?.['http.response.status_code']) >= 500);
    expect(Math.round(errors)).toBe(countObservations(sentErrors));

    const metrics = await getJson<{ metrics: { name: string; attributes: Record<string, unknown[]> }[] }>(
      app,
      '/api/v1/metrics?service=api-gateway',
    );
    const calls = metrics.body.metrics.find((m) => m.name === 'pulseboard.span.calls.duration');
    expect(new Set(calls?.attributes['peer.service'])).toEqual(
      new Set(['auth-service', 'order-service', 'inventory-service']),
    );
    // Each request of a service behind another is one call from its caller, with the request's error.
    const sentTo = (service: string) => requests.filter((i) => i.service === service);
    const gateway = await getJson<CallsResponse>(app, `/api/v1/calls?service=api-gateway&${range}`);
    expect(gateway.body.upstream).toEqual([]);
    for (const callee of ['auth-service', 'order-service', 'inventory-service']) {
      const stats = gateway.body.downstream.find((c) => c.service === callee)!;
      expect(stats.count, callee).toBe(countObservations(sentTo(callee)));
      const failed = sentTo(callee).filter((i) => Number(i.attributes?.['http.response.status_code']) >= 500);
      expect(Math.round(stats.count * (stats.errorRate ?? 0)), callee).toBe(countObservations(failed));
      expect(stats.p99).toBeGreaterThan(0);
    }
    const payments = await getJson<CallsResponse>(app, `/api/v1/calls?service=payment-service&${range}`);
    expect(payments.body.upstream.map((c) => [c.service, c.count])).toEqual([
      ['order-service', countObservations(sentTo('payment-service'))],
    ]);
    expect(payments.body.downstream).toEqual([]);

    const services = await getJson<ServicesResponse>(app, '/api/v1/services');
    expect(new Set(services.body.services.map((s) => s.redSource))).toEqual(new Set(['traces']));
    await app.close();
  });
});
