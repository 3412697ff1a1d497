import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsExport as exportOf, postMetrics as post } from '../../testing/otlp-export.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';
import { JSON_TYPE } from './test-encoder.ts';

const NOW = 1_795_881_944_000;

describe('POST /v1/metrics, past what one request may hold', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const setup = async () => {
    app = (await startTestApp({}, () => NOW)).app;
    return app;
  };
  /** `n` delta points 30 s apart back from now, each over the `span` ms before its time. */
  const spaced = (n: number, span: number, fields: object) =>
    Array.from({ length: n }, (_, i) => {
      const time = NOW - 1_000 - i * 30_000;
      return { startTimeUnixNano: `${time - span}000000`, timeUnixNano: `${time}000000`, ...fields };
    });
  const services = async (app: FastifyInstance) =>
    (await getJson<{ services: { name: string }[] }>(app, '/api/v1/services')).body.services.map((s) => s.name);

  it('refuses with 413, storing nothing, an export whose points fill more buckets than a request may', async () => {
    const app = await setup();
    // 20,000 delta points of one series, each over a second, 30 s apart over a week: past 100,000 buckets of
    // its series, service and route. 100,000 such points took a decode worker past its heap, and the other
    // requests on it were answered 500.
    const dataPoints = spaced(20_000, 1_000, { count: 1, sum: 20, explicitBounds: [10, 50], bucketCounts: [0, 1, 0] });
    const body = exportOf('wide', [
      { name: 'http.server.request.duration', unit: 'ms', histogram: { aggregationTemporality: 1, dataPoints } },
    ]);
    const res = await post(app, Buffer.from(JSON.stringify(body)), JSON_TYPE);
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('100,000 buckets');
    expect(await services(app)).toEqual([]);
  });

  it("refuses with 413 an export that takes more of a decode worker's heap than a request may; others beside it are stored", async () => {
    const app = await setup();
    // 15,000 exponential histogram points of 160 buckets, each over its own minute: 60 pieces of 160 values
    // a point, ~150 M values. The bucket budget counts buckets, not what they hold: without the heap guard the
    // worker ran out of heap, and the request beside it on the same worker was answered 500.
    const dataPoints = spaced(15_000, 60_000, {
      count: 16_000,
      sum: 5_000,
      scale: 3,
      zeroCount: 0,
      positive: { offset: 0, bucketCounts: new Array(160).fill(100) },
    });
    const heavy = exportOf('heavy', [
      {
        name: 'http.server.request.duration',
        unit: 'ms',
        exponentialHistogram: { aggregationTemporality: 1, dataPoints },
      },
    ]);
    const light = exportOf('light', [
      {
        name: 'http.server.request.duration',
        unit: 'ms',
        histogram: {
          aggregationTemporality: 1,
          dataPoints: [
            {
              startTimeUnixNano: `${NOW - 61_000}000000`,
              timeUnixNano: `${NOW - 1_000}000000`,
              count: 60,
              sum: 1_200,
              explicitBounds: [10, 50],
              bucketCounts: [0, 60, 0],
            },
          ],
        },
      },
    ]);
    const [refused, stored] = await Promise.all([
      post(app, Buffer.from(JSON.stringify(heavy)), JSON_TYPE),
      post(app, Buffer.from(JSON.stringify(light)), JSON_TYPE),
    ]);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().message).toMatch(/MiB to decode and fold/);
    expect(stored.statusCode).toBe(200);
    expect(await services(app)).toEqual(['light']);
  });
});
