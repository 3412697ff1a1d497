import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import zlib from 'node:zlib';
import type { RedResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { overloaded } from '../../errors.ts';
import { metricsExport as exportOf, postMetrics as post } from '../../testing/otlp-export.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';
import {
  encodeOtlpProtobuf,
  expectRpcRefusals,
  JSON_TYPE,
  PROTOBUF_TYPE,
  type RefusedBody,
  readResponse,
  readStatus,
} from './test-encoder.ts';

// Just after the saved samples were captured, so their timestamps are "now".
const NOW = 1_795_881_944_000;
const sample = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'testdata', name));

describe('POST /v1/metrics', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('stores the SDK JSON sample and answers an empty response in JSON', async () => {
    const { app, red } = await setup();
    const res = await post(app, sample('metrics-delta-1.json'), JSON_TYPE);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({});
    expect(await red('checkout-api')).toEqual({ count: 4, errors: 1 });
  });

  it('stores the protobuf sample, answers empty protobuf, and does not count a repeated cumulative export twice', async () => {
    const { app, red } = await setup();
    for (let i = 0; i < 3; i++) {
      const res = await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-protobuf');
      expect(res.rawPayload.length).toBe(0);
    }
    expect(await red('checkout-api')).toEqual({ count: 4, errors: 1 });
  });

  it('forgets the cumulative state of a deleted service: the same export afterwards counts afresh, once', async () => {
    const { app, red } = await setup();
    const stored = async () => (await app.core.store.loadCumulativeState()).length;
    expect((await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE)).statusCode).toBe(200);
    expect(await stored()).toBeGreaterThan(0);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/services/checkout-api' })).statusCode).toBe(204);
    expect(await stored()).toBe(0);
    for (let i = 0; i < 2; i++) {
      expect((await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE)).statusCode).toBe(200);
    }
    expect(await red('checkout-api')).toEqual({ count: 4, errors: 1 });
  });

  it('deletes stored cumulative state by the time of its last point', async () => {
    const { app } = await setup();
    expect((await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE)).statusCode).toBe(200);
    const states = await app.core.store.loadCumulativeState();
    const newest = Math.max(...states.map((s) => s.time));
    expect(await app.core.store.forgetCumulativeBefore(newest)).toBe(states.filter((s) => s.time < newest).length);
    expect(await app.core.store.forgetCumulativeBefore(newest + 1)).toBeGreaterThan(0);
    expect(await app.core.store.loadCumulativeState()).toEqual([]);
  });

  it('inflates gzip bodies of either encoding', async () => {
    const { app, red } = await setup();
    const gzip = { 'content-encoding': 'gzip' };
    expect((await post(app, zlib.gzipSync(sample('metrics-delta-1.json')), { ...JSON_TYPE, ...gzip })).statusCode).toBe(
      200,
    );
    const pb = encodeOtlpProtobuf(JSON.parse(sample('metrics-delta-2.json').toString()));
    expect((await post(app, zlib.gzipSync(pb), { ...PROTOBUF_TYPE, ...gzip })).statusCode).toBe(200);
    expect(await red('checkout-api')).toEqual({ count: 4, errors: 1 });
  });

  it('answers partialSuccess for points it refuses and stores the rest', async () => {
    const { app } = await setup();
    const body = exportOf('svc', [
      gauge('g', [point(1), point('NaN'), point(2, NOW - 500 * 86_400_000), point(3, NOW + 20 * 60_000)]),
    ]);
    const res = await post(app, Buffer.from(JSON.stringify(body)), JSON_TYPE);
    expect(res.statusCode).toBe(200);
    const { partialSuccess } = res.json();
    expect(partialSuccess.rejectedDataPoints).toBe('3');
    expect(partialSuccess.errorMessage).toMatch(/^3 data points rejected: 1 with a missing or non-finite value/);
    const pb = await post(app, encodeOtlpProtobuf(body), PROTOBUF_TYPE);
    expect(readResponse(pb.rawPayload)).toMatchObject({ rejected: 3, message: expect.stringContaining('older than') });
    const series = await getJson<{ series: { points: { value: number | null }[] }[] }>(
      app,
      `/api/v1/series?metric=g&service=svc&stat=last&from=${NOW - 60_000}&to=${NOW + 1000}&maxPoints=1`,
    );
    expect(series.body.series[0]!.points[0]!.value).toBe(1);
  });

  it('refuses histogram points whose sum, min or max cannot be stored (NaN, Infinity, overflow), not the request', async () => {
    const { app, red } = await setup();
    const histogram = (extra: Record<string, unknown>) => {
      const metric = requests([2, 0], NOW - 60_000, NOW - 1000);
      const [ok] = metric.histogram.dataPoints;
      return { ...metric, histogram: { ...metric.histogram, dataPoints: [{ ...ok, ...extra }] } };
    };
    const body = exportOf('svc', [
      requests([3, 1], NOW - 60_000, NOW - 1000),
      histogram({ sum: 'NaN' }),
      histogram({ sum: 40, min: 20, max: 'Infinity' }),
      histogram({ explicitBounds: [10, 1e308] }),
      histogram({ sum: 40, min: 30, max: 10 }),
      // Within 1e300 as sent, past it once seconds become the stored milliseconds.
      { ...histogram({ sum: 5e298 }), unit: 's' },
      // No observations: min and max as some SDKs leave them are never read.
      histogram({ count: 0, sum: 0, bucketCounts: [0, 0, 0], min: 'Infinity', max: '-Infinity' }),
    ]);
    for (const [payload, type] of [
      [Buffer.from(JSON.stringify(body)), JSON_TYPE],
      [encodeOtlpProtobuf(body), PROTOBUF_TYPE],
    ] as const) {
      const res = await post(app, payload, type);
      expect(res.statusCode).toBe(200);
      const { rejected, message } =
        type === JSON_TYPE
          ? {
              rejected: Number(res.json().partialSuccess.rejectedDataPoints),
              message: res.json().partialSuccess.errorMessage,
            }
          : readResponse(res.rawPayload)!;
      expect(rejected).toBe(5);
      for (const reason of [
        'a sum, min or max that is not finite',
        'values too large to add up',
        'min is above its max',
      ]) {
        expect(message).toContain(reason);
      }
    }
    // Each export's good points are stored (the first counted in full, the second a retry of it).
    expect(await red('svc')).toEqual({ count: 4, errors: 1 });
  });

  it('refuses series past the per-service limit or of another type as rejected points; the rest is stored', async () => {
    const { app } = await setup({ maxSeriesPerService: 3 });
    // 40 seconds of 5 series: a body large enough to move to a decode worker and come back for the redo.
    const points = [1, 2, 3, 4, 5].flatMap((i) =>
      Array.from({ length: 40 }, (_, s) => point(i, NOW - s * 1000, { i })),
    );
    const body = Buffer.from(JSON.stringify(exportOf('svc', [gauge('g', points)])));
    expect(body.length).toBeGreaterThan(8192);
    const res = await post(app, body, JSON_TYPE);
    expect(res.json().partialSuccess).toMatchObject({
      rejectedDataPoints: '80',
      errorMessage: expect.stringContaining('series limit'),
    });
    const typed = exportOf('svc', [
      { name: 'g', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [point(1)] } },
    ]);
    const conflict = await post(app, Buffer.from(JSON.stringify(typed)), JSON_TYPE);
    expect(conflict.json().partialSuccess).toMatchObject({
      rejectedDataPoints: '1',
      errorMessage: expect.stringContaining('another type'),
    });
    const metrics = await getJson<{ metrics: { attributes: Record<string, unknown[]> }[] }>(
      app,
      '/api/v1/metrics?service=svc',
    );
    expect(metrics.body.metrics[0]!.attributes.i).toHaveLength(3);
  });

  it('answers bad bodies with a google.rpc.Status in the request encoding and stores nothing', async () => {
    const { app } = await setup({ bodyLimitBytes: 4096 });
    const good = sample('metrics-cumulative.pb');
    const cases: RefusedBody[] = [
      ['broken protobuf', good.subarray(0, good.length - 9), PROTOBUF_TYPE, 400],
      ['garbage protobuf', Buffer.from('garbage that is not protobuf'), PROTOBUF_TYPE, 400],
      ['truncated JSON', sample('metrics-delta-1.json').subarray(0, 500), JSON_TYPE, 400],
      [
        'wrong enum',
        Buffer.from(
          JSON.stringify(exportOf('svc', [{ name: 's', sum: { aggregationTemporality: 3, dataPoints: [point(1)] } }])),
        ),
        JSON_TYPE,
        400,
      ],
      [
        'wrong enum (protobuf)',
        encodeOtlpProtobuf(exportOf('svc', [{ name: 'h', histogram: { aggregationTemporality: 0, dataPoints: [] } }])),
        PROTOBUF_TYPE,
        400,
      ],
      ['empty JSON', Buffer.alloc(0), JSON_TYPE, 400],
      ['oversized', Buffer.from(JSON.stringify({ pad: 'x'.repeat(5000) })), JSON_TYPE, 413],
      ['gzip bomb', zlib.gzipSync(Buffer.alloc(1 << 20)), { ...PROTOBUF_TYPE, 'content-encoding': 'gzip' }, 413],
      ['not gzip', Buffer.from('plain'), { ...JSON_TYPE, 'content-encoding': 'gzip' }, 400],
      ['brotli', Buffer.from('{}'), { ...JSON_TYPE, 'content-encoding': 'br' }, 415],
      ['text', Buffer.from('hello'), { 'content-type': 'text/plain' }, 415],
    ];
    await expectRpcRefusals(app, '/v1/metrics', cases);
    const services = await getJson<{ services: unknown[] }>(app, '/api/v1/services');
    expect(services.body.services).toEqual([]);
  });

  it('answers 503 with Retry-After when the aggregator is overloaded, and a later retry counts once', async () => {
    const { app, red } = await setup();
    const { aggregator } = app.core;
    const submit = aggregator.submitPacked.bind(aggregator);
    aggregator.submitPacked = () => Promise.reject(overloaded(2));
    const busy = await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE);
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('2');
    expect(readStatus(busy.rawPayload).code).toBe(14);
    aggregator.submitPacked = () => {
      aggregator.submitPacked = submit;
      return Promise.reject(new Error('disk full'));
    };
    expect((await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE)).statusCode).toBe(500);
    expect((await post(app, sample('metrics-cumulative.pb'), PROTOBUF_TYPE)).statusCode).toBe(200);
    expect(await red('checkout-api')).toEqual({ count: 4, errors: 1 });
  });

  it('keeps cumulative state across a restart, so nothing is counted twice', async () => {
    const first = await setup();
    const series = (value: number, time: number) =>
      Buffer.from(JSON.stringify(exportOf('svc', [requests([value, 0], NOW - 60_000, time)])));
    await post(first.app, series(3, NOW - 30_000), JSON_TYPE);
    await first.app.close();
    const second = await setup({ db: first.config.db });
    expect((await post(second.app, series(3, NOW - 30_000), JSON_TYPE)).statusCode).toBe(200);
    await post(second.app, series(5, NOW - 20_000), JSON_TYPE);
    expect(await second.red('svc')).toEqual({ count: 5, errors: 0 });
  });

  it("counts a long-running series' first point from its newest 10 s only, and its next point in full", async () => {
    const { app, red } = await setup();
    // 2,000 series whose processes started 60 h before the server saw them, 10 requests a second each. Spread
    // over those 60 h (~190 buckets a series, as many a route), the export took a decode worker past its heap.
    const export1 = (time: number, count: number) => {
      const dataPoints = Array.from({ length: 2_000 }, (_, i) => ({
        startTimeUnixNano: `${NOW - 60 * 3_600_000}000000`,
        timeUnixNano: `${time}000000`,
        count,
        sum: count * 20,
        explicitBounds: [10, 50],
        bucketCounts: [0, count, 0],
        attributes: [{ key: 'http.route', value: { stringValue: `/r/${i}` } }],
      }));
      const body = exportOf('svc', [
        { name: 'http.server.request.duration', unit: 'ms', histogram: { aggregationTemporality: 2, dataPoints } },
      ]);
      return post(app, Buffer.from(JSON.stringify(body)), JSON_TYPE);
    };
    const first = await export1(NOW - 61_000, 2_160_000);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({});
    // Each keeps its newest 10 s' share: 100 (give or take one in its rounding); nothing before them.
    expect(Math.abs((await red('svc')).count - 200_000)).toBeLessThanOrEqual(2_000);
    const before = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=svc&from=${NOW - 70 * 3_600_000}&to=${NOW - 72_000}&maxPoints=1`,
    );
    expect(before.body.series.flatMap((s) => s.points).reduce((n, p) => n + p.count, 0)).toBe(0);
    // The next point counts in full: its 600 since the first.
    expect((await export1(NOW - 1_000, 2_160_600)).statusCode).toBe(200);
    expect(Math.abs((await red('svc')).count - 1_400_000)).toBeLessThanOrEqual(2_000);
  });

  it('counts concurrent cumulative exports of one series once, whatever their order', async () => {
    const { app, red } = await setup();
    const bodies = [1, 2, 3, 4, 5].map((n) =>
      encodeOtlpProtobuf(exportOf('svc', [requests([n * 10, n], NOW - 60_000, NOW - 10_000 + n * 1000)])),
    );
    const responses = await Promise.all([4, 0, 2, 1, 3].map((i) => post(app, bodies[i]!, PROTOBUF_TYPE)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await red('svc')).toEqual({ count: 55, errors: 5 });
  });

  it('answers 500 to the request whose decode worker dies, then starts a new worker that counts the retry once', async () => {
    const { app, red } = await setup();
    const series = (value: number, time: number) =>
      encodeOtlpProtobuf(exportOf('svc', [requests([value, 0], NOW - 60_000, time)]));
    expect((await post(app, series(3, NOW - 30_000), PROTOBUF_TYPE)).statusCode).toBe(200);
    // The worker dies (as at its memory cap) with the next export in hand, before it answers.
    const send = Worker.prototype.postMessage;
    const kill = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args) {
      if ((args[0] as { kind?: string }).kind === 'otlp') void this.terminate();
      else send.apply(this, args);
    });
    const killed = await post(app, series(5, NOW - 20_000), PROTOBUF_TYPE);
    kill.mockRestore();
    expect(killed.statusCode).toBe(500);
    expect(readStatus(killed.rawPayload).code).toBe(13);
    expect(app.core.decoders.running).toBe(0);
    // The sender retries; a new worker starts from the stored state, so only the increase counts.
    expect((await post(app, series(5, NOW - 20_000), PROTOBUF_TYPE)).statusCode).toBe(200);
    expect(app.core.decoders.running).toBe(1);
    expect(await red('svc')).toEqual({ count: 5, errors: 0 });
  });

  async function setup(overrides = {}) {
    const handle = await setupApp(overrides);
    close = () => handle.app.close();
    return handle;
  }
});

function point(value: number | string, time = NOW, attributes: Record<string, number> = {}) {
  const attrs = Object.entries(attributes).map(([key, v]) => ({ key, value: { intValue: v } }));
  return { timeUnixNano: `${time}000000`, asDouble: value, attributes: attrs };
}

function gauge(name: string, dataPoints: unknown[]) {
  return { name, gauge: { dataPoints } };
}

/** A cumulative http.server.request.duration histogram (ms) with [ok, error] request counts, all 20 ms. */
function requests([ok, errors]: [number, number], start: number, time: number) {
  const dataPoint = (count: number, status: number) => ({
    startTimeUnixNano: `${start}000000`,
    timeUnixNano: `${time}000000`,
    count,
    sum: count * 20,
    explicitBounds: [10, 50],
    bucketCounts: [0, count, 0],
    attributes: [{ key: 'http.response.status_code', value: { intValue: status } }],
  });
  return {
    name: 'http.server.request.duration',
    unit: 'ms',
    histogram: { aggregationTemporality: 2, dataPoints: [dataPoint(ok, 200), dataPoint(errors, 500)] },
  };
}

async function setupApp(overrides = {}) {
  const handle = await startTestApp(overrides, () => NOW);
  const red = async (service: string) => {
    const res = await getJson<RedResponse>(
      handle.app,
      `/api/v1/red?service=${service}&from=${NOW - 3_600_000}&to=${NOW + 60_000}&maxPoints=1`,
    );
    const points = res.body.series.flatMap((s) => s.points);
    const count = points.reduce((n, p) => n + p.count, 0);
    const errors = Math.round(points.reduce((n, p) => n + p.count * (p.errorRate ?? 0), 0));
    return { count, errors };
  };
  return { ...handle, red };
}
