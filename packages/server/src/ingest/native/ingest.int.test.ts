import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest, startTestApp } from '../../testing/test-app.ts';

const NOW = 1_800_000_000_000;
const duration = (extra: Record<string, unknown> = {}) => ({
  service: 'checkout',
  name: 'http.server.request.duration',
  type: 'histogram',
  unit: 'ms',
  value: 12.5,
  timestamp: NOW - 1000,
  attributes: { 'http.route': '/pay', 'http.response.status_code': 200 },
  ...extra,
});

describe('POST /api/v1/metrics', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('acknowledges with the number of observations, counting compact points', async () => {
    const { app } = await setup();
    const res = await ingest(app, [
      duration(),
      duration({
        value: undefined,
        timestamp: undefined,
        points: [
          [NOW - 2000, 5],
          [NOW - 1500, 7],
        ],
      }),
    ]);
    expect(res).toEqual({ status: 202, body: { accepted: 3 } });
    const services = await getJson<{ services: { name: string }[] }>(app, '/api/v1/services');
    expect(services.body.services.map((s) => s.name)).toEqual(['checkout']);
  });

  it('rejects a whole batch when one item is bad, naming the item and field, and stores nothing', async () => {
    const { app } = await setup();
    const cases: [unknown, string][] = [
      [duration({ service: '' }), 'metrics[1].service'],
      [duration({ type: 'summary' }), 'metrics[1].type'],
      [duration({ value: -1 }), 'metrics[1].value'],
      [duration({ value: 'fast' }), 'metrics[1].value'],
      // Two such gauges of opposite signs would add up to NaN in a rollup.
      [duration({ type: 'gauge', value: -1.7e308 }), 'metrics[1].value'],
      // Within 1e300 as sent, past it once seconds become the stored milliseconds.
      [duration({ unit: 's', value: 5e298 }), 'metrics[1].value'],
      [duration({ timestamp: NOW + 11 * 60_000 }), 'metrics[1].timestamp'],
      [duration({ timestamp: NOW - 401 * 86_400_000 }), 'metrics[1].timestamp'],
      [duration({ attributes: { nested: { a: 1 } } }), 'metrics[1].attributes.nested'],
      [duration({ value: undefined, timestamp: undefined, points: [[NOW, 1], [NOW]] }), 'metrics[1].points[1]'],
      [
        duration({ attributes: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i])) }),
        'metrics[1].attributes',
      ],
      [{ ...duration(), type: 'counter', name: 'requests', value: -3 }, 'metrics[1].value'],
    ];
    for (const [bad, field] of cases) {
      const res = await ingest(app, [duration({ service: 'good' }), bad]);
      expect(res.status, field).toBe(400);
      expect(res.body.code).toBe('PULSE_ERR_VALIDATION');
      expect(String(res.body.message).startsWith(field), `${res.body.message} names ${field}`).toBe(true);
    }
    const services = await getJson<{ services: unknown[] }>(app, '/api/v1/services');
    expect(services.body.services).toEqual([]);
  });

  it('rejects a metric sent with another type than before', async () => {
    const { app } = await setup();
    await ingest(app, [{ service: 'a', name: 'queue.depth', type: 'gauge', value: 3, timestamp: NOW }]);
    const res = await ingest(app, [{ service: 'a', name: 'queue.depth', type: 'counter', value: 3, timestamp: NOW }]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PULSE_ERR_TYPE_CONFLICT');
  });

  it('rejects new series past the per-service limit, atomically', async () => {
    const { app } = await setup({ maxSeriesPerService: 3 });
    const series = (i: number) => ({
      service: 'a',
      name: 'g',
      type: 'gauge',
      value: i,
      timestamp: NOW,
      attributes: { i },
    });
    expect((await ingest(app, [series(1), series(2)])).status).toBe(202);
    const res = await ingest(app, [series(3), series(4)]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PULSE_ERR_CARDINALITY');
    // The rejected batch reserved nothing: one more series still fits.
    expect((await ingest(app, [series(3)])).status).toBe(202);
  });

  it('answers 413 past the body limit, 415 for other content types and 400 for broken JSON', async () => {
    const { app } = await setup({ bodyLimitBytes: 1024 });
    const big = await app.inject({
      method: 'POST',
      url: '/api/v1/metrics',
      payload: { metrics: Array(100).fill(duration()) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PULSE_ERR_BODY_TOO_LARGE');
    const text = await app.inject({
      method: 'POST',
      url: '/api/v1/metrics',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('PULSE_ERR_UNSUPPORTED_MEDIA_TYPE');
    const broken = await app.inject({
      method: 'POST',
      url: '/api/v1/metrics',
      headers: { 'content-type': 'application/json' },
      payload: '{"metrics":[',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('PULSE_ERR_VALIDATION');
  });

  it('takes gzip-compressed batches, and answers a gzip bomb 413 at the limit after decompression', async () => {
    const { app } = await setup({ bodyLimitBytes: 64 * 1024 });
    const post = (body: Buffer) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/metrics',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        payload: body,
      });
    const batch = await post(zlib.gzipSync(JSON.stringify({ metrics: [duration()] })));
    expect(batch.statusCode).toBe(202);
    const bomb = await post(zlib.gzipSync(Buffer.alloc(16 * 1024 ** 2, 32)));
    expect(bomb.statusCode).toBe(413);
    expect(bomb.json()).toMatchObject({
      code: 'PULSE_ERR_BODY_TOO_LARGE',
      message: expect.stringContaining('after decompression'),
    });
  });

  it('refuses with 413 a batch filling more buckets than a request may, storing none of it, while others go on', async () => {
    const { app } = await setup();
    // A point a minute of one series over two weeks: each point its own 10 s and 1 min bucket, of the series,
    // its service and its route (6 or 7 a point). 200,000 such seconds took a decode worker past its heap, and
    // every request on it answered 500.
    const points = Array.from({ length: 20_000 }, (_, i) => [NOW - 60_000 - i * 60_000, 5]);
    const [big, small] = await Promise.all([
      ingest(app, [duration({ value: undefined, timestamp: undefined, points })]),
      ingest(app, [duration({ service: 'bystander' })]),
    ]);
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'PULSE_ERR_BODY_TOO_LARGE' });
    expect(String(big.body.message)).toMatch(/^body: its observations fill more than 100,000 buckets/);
    expect(small).toEqual({ status: 202, body: { accepted: 1 } });
    const services = await getJson<{ services: { name: string }[] }>(app, '/api/v1/services');
    expect(services.body.services.map((s) => s.name)).toEqual(['bystander']);
    // A tenth of it is taken.
    const fewer = await ingest(app, [
      duration({ value: undefined, timestamp: undefined, points: points.slice(0, 2_000) }),
    ]);
    expect(fewer).toEqual({ status: 202, body: { accepted: 2_000 } });
  });

  async function setup(overrides = {}) {
    const handle = await startTestApp(overrides, () => NOW);
    close = () => handle.app.close();
    return handle;
  }
});
