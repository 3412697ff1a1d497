import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { exact, lcg, sdkTestServer, singleRedPoint } from '../../testing/otel-sdk.ts';
import { getJson } from '../../testing/test-app.ts';

/** Semantic-convention bounds (s), as `advice.explicitBucketBoundaries` of HTTP instrumentation. */
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ROUTES = ['/pay', '/cart', '/search'];
const EXPORTS = 3;

interface Case {
  encoding: 'json' | 'protobuf';
  gzip: boolean;
  temporality: 'cumulative' | 'delta';
}

const CASES: Case[] = (['json', 'protobuf'] as const).flatMap((encoding) =>
  [false, true].flatMap((gzip) =>
    (['cumulative', 'delta'] as const).map((temporality) => ({ encoding, gzip, temporality })),
  ),
);

describe('the OpenTelemetry JS SDK exporting to /v1/metrics', () => {
  const server = sdkTestServer();

  for (const c of CASES) {
    const service = `sdk-${c.encoding}-${c.gzip ? 'gzip' : 'plain'}-${c.temporality}`;
    it(`${service}: exact counts and error rate, percentiles inside the exact bucket`, async () => {
      const { provider, meter } = sdk(`${server.base}/v1/metrics`, service, c);
      const duration = meter.createHistogram('http.server.request.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: BOUNDS_S },
      });
      const random = lcg(service.length * 7919);
      const recorded: { ms: number; route: string; error: boolean }[] = [];
      const from = Date.now() - 1000;
      for (let round = 0; round < EXPORTS; round++) {
        for (let i = 0; i < 400; i++) {
          const seconds = Math.exp(random() * 6 - 6.5);
          const route = ROUTES[Math.floor(random() * ROUTES.length)]!;
          const status = random() < 0.07 ? 500 : random() < 0.1 ? 404 : 200;
          duration.record(seconds, {
            'http.route': route,
            'http.response.status_code': status,
            'http.request.method': 'GET',
          });
          recorded.push({ ms: seconds * 1000, route, error: status >= 500 });
        }
        await provider.forceFlush();
      }
      await provider.shutdown();
      expect(server.problems).toEqual([]);

      const range = `from=${from}&to=${Date.now() + 2000}&maxPoints=1`;
      const all = await singleRedPoint(server.app, `service=${service}&${range}`);
      const errors = recorded.filter((r) => r.error).length;
      expect(all.count).toBe(recorded.length);
      expect(all.errors).toBe(errors);
      // The API rounds rates to 6 decimals; the error count above is exact.
      expect(all.errorRate).toBeCloseTo(errors / recorded.length, 6);
      for (const q of [0.5, 0.95, 0.99] as const)
        expectInBucket(
          all.percentiles[q],
          exact(
            recorded.map((r) => r.ms),
            q,
          ),
        );

      const byRoute = await getJson<RedResponse>(server.app, `/api/v1/red?service=${service}&${range}&groupBy=route`);
      for (const route of ROUTES) {
        const mine = recorded.filter((r) => r.route === route);
        const points = serviceSeries(byRoute.body).find((s) => s.route === route)!.points;
        expect(
          points.reduce((n, p) => n + p.count, 0),
          route,
        ).toBe(mine.length);
        const p99 = points.find((p) => p.count > 0)!.p99!;
        expectInBucket(
          p99,
          exact(
            mine.map((r) => r.ms),
            0.99,
          ),
        );
      }
    });
  }

  it('exponential histograms (cumulative, protobuf, rescaled as the range grows): percentiles in the exact bucket', async () => {
    const service = 'sdk-exponential';
    const { provider, meter } = sdk(
      `${server.base}/v1/metrics`,
      service,
      { encoding: 'protobuf', gzip: true, temporality: 'cumulative' },
      true,
    );
    const duration = meter.createHistogram('http.server.request.duration', { unit: 's' });
    const random = lcg(99);
    const recorded: number[] = [];
    const from = Date.now() - 1000;
    for (let round = 0; round < EXPORTS; round++) {
      // Each round widens the range, so the SDK lowers the scale between cumulative exports.
      for (let i = 0; i < 500; i++) {
        const seconds = Math.exp(random() * (2 + round * 3) - 5);
        duration.record(seconds, { 'http.route': '/x', 'http.response.status_code': 200 });
        recorded.push(seconds * 1000);
      }
      await provider.forceFlush();
    }
    await provider.shutdown();
    expect(server.problems).toEqual([]);
    const all = await singleRedPoint(server.app, `service=${service}&from=${from}&to=${Date.now() + 2000}&maxPoints=1`);
    expect(all.count).toBe(recorded.length);
    // The SDK's final scale is the finest at which all values fit its 160 buckets; every delta was at that
    // scale or finer, so each percentile must sit in the exact value's bucket at that scale.
    const scale = sdkScale(recorded);
    expect(scale).toBeLessThan(6);
    for (const q of [0.5, 0.95, 0.99] as const) {
      // Buckets are powers of the base in the unit the SDK recorded (s).
      const index = exponentialIndex(exact(recorded, q) / 1000, scale);
      const base = 2 ** (2 ** -scale);
      const read = all.percentiles[q] / 1000;
      expect(read > base ** index && read <= base ** (index + 1), `p${q * 100} ${read} at scale ${scale}`).toBe(true);
    }
  });
});

/** Index of v's bucket (base^i, base^(i+1)] at `scale`. */
function exponentialIndex(v: number, scale: number): number {
  return Math.ceil(Math.log2(v) * 2 ** scale) - 1;
}

function sdkScale(ms: number[]): number {
  const seconds = ms.map((v) => v / 1000);
  const [lo, hi] = [Math.min(...seconds), Math.max(...seconds)];
  for (let scale = 20; scale > -10; scale--) {
    if (exponentialIndex(hi, scale) - exponentialIndex(lo, scale) + 1 <= 160) return scale;
  }
  return -10;
}

function sdk(url: string, service: string, c: Case, exponential = false) {
  const options = {
    url,
    compression: c.gzip ? ('gzip' as never) : ('none' as never),
    // The default 10 s can pass while a loaded machine starts the server's decode worker from sources.
    timeoutMillis: 60_000,
    temporalityPreference:
      c.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = c.encoding === 'json' ? new JsonExporter(options) : new ProtobufExporter(options);
  // Exports happen on forceFlush only: the interval is longer than the test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': 'test-1' }),
    readers: [reader],
    views: exponential
      ? [
          {
            instrumentName: 'http.server.request.duration',
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
          },
        ]
      : [],
  });
  return { provider, meter: provider.getMeter('sdk.int.test') };
}

function expectInBucket(read: number, exactValue: number): void {
  const bounds = BOUNDS_S.map((b) => b * 1000);
  let i = 0;
  while (i < bounds.length && exactValue > bounds[i]!) i++;
  const lo = i === 0 ? Number.NEGATIVE_INFINITY : bounds[i - 1]!;
  const hi = i === bounds.length ? Number.POSITIVE_INFINITY : bounds[i]!;
  expect(read > lo && read <= hi, `${read} ms should be in (${lo}, ${hi}] with ${exactValue}`).toBe(true);
}
