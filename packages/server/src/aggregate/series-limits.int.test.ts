import type { MetricsResponse, ServicesResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000;
const RED = 'http.server.request.duration';

/** Native items: `n` gauge series of one service, told apart by attribute `i`. */
const gauges = (service: string, n: number, name = 'queue.depth') =>
  Array.from({ length: n }, (_, i) => ({ service, name, type: 'gauge', value: i, timestamp: NOW, attributes: { i } }));
const request = (service: string, route = '/pay') => ({
  service,
  name: RED,
  type: 'histogram',
  value: 12,
  timestamp: NOW,
  attributes: { 'http.route': route },
});

describe('series limits', () => {
  afterEach(closeAll);

  it('refuses new series past the limit in all, naming it, stores nothing of the batch, and counts it', async () => {
    const { app } = await setup({ maxSeries: 5 });
    expect((await ingest(app, gauges('a', 3))).status).toBe(202);
    const res = await ingest(app, [...gauges('b', 2), ...gauges('c', 1)]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'PULSE_ERR_CARDINALITY', message: expect.stringContaining('--max-series') });
    expect(String(res.body.message)).toMatch(/^metrics\[2\]: .*limit of 5 series in all/);
    expect(await serviceNames(app)).toEqual(['a']);
    expect(await limitRefusals(app)).toMatchObject({ series: 1 });
    // Known series keep being written at the limit.
    expect((await ingest(app, [...gauges('a', 3), ...gauges('b', 2)])).status).toBe(202);
  });

  it('refuses a new service past the service limit, in native and OTLP', async () => {
    const { app } = await setup({ maxServices: 2 });
    expect((await ingest(app, [...gauges('a', 1), ...gauges('b', 1)])).status).toBe(202);
    const res = await ingest(app, gauges('c', 1));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'PULSE_ERR_CARDINALITY',
      message: expect.stringMatching(/^metrics\[0\]\.service: c .*limit of 2 services.*--max-services/),
    });
    const otlp = await postOtlp(app, [exportGauge('d', 'x', 2), exportGauge('a', 'x', 1)]);
    expect(otlp.partialSuccess).toMatchObject({
      rejectedDataPoints: '2',
      errorMessage: expect.stringContaining('over the limit of services (--max-services)'),
    });
    expect(await serviceNames(app)).toEqual(['a', 'b']);
    // The native batch once, each refused OTLP series once.
    expect(await limitRefusals(app)).toMatchObject({ services: 3 });
  });

  it('refuses a series whose identity is over the byte limit, whatever its attribute count', async () => {
    const { app } = await setup({ maxSeriesBytes: 300 });
    const big = {
      service: 'a',
      name: 'g',
      type: 'gauge',
      value: 1,
      attributes: { a: 'x'.repeat(150), b: 'y'.repeat(150) },
    };
    const res = await ingest(app, [...gauges('a', 1), big]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'PULSE_ERR_SERIES_TOO_LARGE',
      message: expect.stringMatching(/^metrics\[1\]\.attributes: .*over the limit of 300.*--max-series-bytes/),
    });
    const long = exportGauge('a', 'g', 1, { key: 'k', value: { stringValue: 'z'.repeat(400) } });
    const otlp = await postOtlp(app, [long]);
    expect(otlp.partialSuccess).toMatchObject({
      rejectedDataPoints: '1',
      errorMessage: expect.stringContaining('--max-series-bytes'),
    });
    expect(await serviceNames(app)).toEqual([]);
    expect(await limitRefusals(app)).toMatchObject({ series_bytes: 2 });
  });

  it('refuses a NUL character in a name or attribute, naming the field, and stores nothing of that batch', async () => {
    const { app } = await setup();
    const res = await ingest(app, [...gauges('a', 1), request('pay\u0000ments')]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'PULSE_ERR_NUL_CHARACTER',
      message: expect.stringMatching(/^metrics\[1\]\.service: /),
    });
    const route = await ingest(app, [request('shop', '/pay\u0000')]);
    expect(route.body).toMatchObject({ message: expect.stringMatching(/^metrics\[0\]\.attributes\.http\.route: /) });
    const otlp = await postOtlp(app, [exportGauge('b', 'g', 1, { key: 'k', value: { stringValue: 'x\u0000y' } })]);
    expect(otlp.partialSuccess).toMatchObject({
      rejectedDataPoints: '1',
      errorMessage: expect.stringContaining('NUL'),
    });
    expect(await serviceNames(app)).toEqual([]);
  });

  it('refuses a lone surrogate anywhere and a control character in a name, naming the field', async () => {
    // JSON's "\ud800" escape once stored a service no URL could name, so it could never be deleted.
    const { app } = await setup();
    const lone = await ingest(app, [...gauges('a', 1), request('svc\ud800x')]);
    expect(lone.status).toBe(400);
    expect(lone.body).toMatchObject({
      code: 'PULSE_ERR_INVALID_TEXT',
      message: expect.stringMatching(/^metrics\[1\]\.service: is not Unicode text/),
    });
    const route = await ingest(app, [request('shop', '/pay\udc00')]);
    expect(route.body).toMatchObject({ message: expect.stringMatching(/^metrics\[0\]\.attributes\.http\.route: /) });
    const control = await ingest(app, [request('pay\u0013ments')]);
    expect(control.body).toMatchObject({
      code: 'PULSE_ERR_INVALID_TEXT',
      message: expect.stringMatching(/^metrics\[0\]\.service: holds a control character/),
    });
    const otlp = await postOtlp(app, [exportGauge('b\ud83d', 'g', 1)]);
    expect(otlp.partialSuccess).toMatchObject({
      rejectedDataPoints: '1',
      errorMessage: expect.stringContaining('Unicode'),
    });
    // A pair is one character (an emoji), and a tab may sit in an attribute value.
    const fine = await ingest(app, [request('caf\u00e9 \ud83d\ude00', '/a\tb')]);
    expect(fine.status).toBe(202);
    expect(await serviceNames(app)).toEqual(['caf\u00e9 \ud83d\ude00']);
    // The longest name a service may have is deleted by its URL too (past 100 characters Fastify answered 414).
    const longest = 'é'.repeat(200) + '\ud83d\ude00'.repeat(28);
    expect((await ingest(app, [request(longest)])).status).toBe(202);
    const gone = await app.inject({ method: 'DELETE', url: `/api/v1/services/${encodeURIComponent(longest)}` });
    expect(gone.statusCode).toBe(204);
    // Its URL form (the bytes SQLite held for it) is no UTF-8 either: refused in the catalogue's shape.
    const bad = await app.inject({ method: 'DELETE', url: '/api/v1/services/svc%ED%A0%80x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'PULSE_ERR_VALIDATION', message: expect.stringMatching(/^url: /) });
  });

  it('restarts on a database at the limits, with attributes intact and the limits still applied', async () => {
    const limits = { maxSeries: 6, maxSeriesPerService: 4 };
    const first = await setup(limits);
    expect((await ingest(first.app, [...gauges('a', 4), ...gauges('b', 2)])).status).toBe(202);
    await first.app.close();
    const { app } = await setup({ ...limits, db: first.config.db });
    const exposition = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(exposition).toMatch(/^pulseboard_series 6$/m);
    expect(exposition).toMatch(/^pulseboard_services 2$/m);
    const metrics = await getJson<MetricsResponse>(app, '/api/v1/metrics?service=a');
    expect(metrics.body.metrics).toEqual([
      { name: 'queue.depth', type: 'gauge', unit: '', attributes: { i: [0, 1, 2, 3] } },
    ]);
    const filtered = await getJson<{ series: { points: { value: number | null }[] }[] }>(
      app,
      `/api/v1/series?metric=queue.depth&service=a&stat=last&attr.i=2&from=${NOW - 60_000}&to=${NOW + 10_000}&maxPoints=1`,
    );
    expect(filtered.body.series[0]?.points[0]?.value).toBe(2);
    expect((await ingest(app, gauges('b', 2))).status).toBe(202);
    expect((await ingest(app, gauges('c', 1))).body.code).toBe('PULSE_ERR_CARDINALITY');
  });
});

describe('squatting', () => {
  afterEach(closeAll);

  it('refuses the RED metric with another type than the contract gives it, without poisoning the service', async () => {
    const { app } = await setup();
    const squat = await ingest(app, [{ ...request('shop'), type: 'gauge' }]);
    expect(squat.status).toBe(400);
    expect(squat.body).toMatchObject({
      code: 'PULSE_ERR_TYPE_CONFLICT',
      message: expect.stringContaining('metrics[0].type: http.server.request.duration of service shop is by contract'),
    });
    const otlp = await postOtlp(app, [exportGauge('shop', RED, 1)]);
    expect(otlp.partialSuccess).toMatchObject({ rejectedDataPoints: '1' });
    expect((await ingest(app, [request('shop')])).status).toBe(202);
    const overview = await getJson<{ services: { service: string; count: number }[] }>(
      app,
      `/api/v1/overview?from=${NOW - 60_000}&to=${NOW + 1000}`,
    );
    expect(overview.body.services).toMatchObject([{ service: 'shop', count: 1 }]);
  });

  it('keeps room for the dashboard metrics when junk fills the per-service quota, and DELETE frees the quota', async () => {
    const { app } = await setup({ maxSeriesPerService: 3 });
    expect((await ingest(app, gauges('shop', 3, 'junk'))).status).toBe(202);
    expect((await ingest(app, gauges('shop', 1, 'more.junk'))).body.code).toBe('PULSE_ERR_CARDINALITY');
    // The RED metric has a quota of its own: the junk did not use it up.
    expect((await ingest(app, [request('shop', '/a'), request('shop', '/b')])).status).toBe(202);
    const cpu = { service: 'shop', name: 'process.cpu.utilization', type: 'gauge', value: 0.5, timestamp: NOW };
    expect((await ingest(app, [cpu])).status).toBe(202);
    expect((await ingest(app, [request('shop', '/c')])).body.code).toBe('PULSE_ERR_CARDINALITY');
    expect(await limitRefusals(app)).toMatchObject({ series_per_service: 2 });

    expect((await app.inject({ method: 'DELETE', url: '/api/v1/services/shop' })).statusCode).toBe(204);
    expect((await ingest(app, gauges('shop', 3, 'fresh'))).status).toBe(202);
    expect((await ingest(app, [request('shop', '/a'), request('shop', '/b'), request('shop', '/c')])).status).toBe(202);
  });
});

const open: FastifyInstance[] = [];

async function setup(overrides: Partial<Config> = {}) {
  const handle = await startTestApp(overrides, () => NOW);
  open.push(handle.app);
  return handle;
}

async function closeAll() {
  // Closing twice (a test that restarts closes its first server itself) is harmless.
  await Promise.all(open.splice(0).map((app) => app.close()));
}

async function serviceNames(app: FastifyInstance): Promise<string[]> {
  return (await getJson<ServicesResponse>(app, '/api/v1/services')).body.services.map((s) => s.name).sort();
}

/** `pulseboard_limit_refusals_total` by limit, from /metrics. */
async function limitRefusals(app: FastifyInstance): Promise<Record<string, number>> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const out: Record<string, number> = {};
  for (const match of text.matchAll(/^pulseboard_limit_refusals_total\{limit="(\w+)"\} (\d+)$/gm)) {
    out[match[1]!] = Number(match[2]);
  }
  return out;
}

/** An OTLP JSON gauge export of `n` points (attribute `i`) for one service and metric. */
function exportGauge(service: string, name: string, n: number, extra?: unknown) {
  const dataPoints = Array.from({ length: n }, (_, i) => ({
    timeUnixNano: `${NOW}000000`,
    asDouble: i,
    attributes: [{ key: 'i', value: { intValue: i } }, ...(extra ? [extra] : [])],
  }));
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeMetrics: [{ metrics: [{ name, gauge: { dataPoints } }] }],
  };
}

async function postOtlp(app: FastifyInstance, resourceMetrics: unknown[]) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/metrics',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ resourceMetrics }),
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } };
}
