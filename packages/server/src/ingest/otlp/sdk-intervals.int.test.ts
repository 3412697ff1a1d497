import { type OverviewResponse, type RedResponse, serviceSeries } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { manualSdk, retime } from '../../testing/manual-sdk.ts';
import { lcg } from '../../testing/otel-sdk.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';

const RATE = 40;
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const RANGES = ['5m', '15m', '1h', '6h', '24h'];
const MAX_POINTS = [160, 300, 600];

/**
 * The JS SDK's own aggregation and OTLP exporter, at its export intervals (5 s, and 60 s, its default) on
 * a simulated clock: each round records an interval's requests at 40/s, collects, sets the points' start
 * and end to the simulated export times (with a few ms of timer jitter), and exports over HTTP to a server
 * whose clock is the simulated one. Every bucket the page could ask for then reads 40/s within 5 %.
 */
describe('SDK exports at their interval read as a steady rate', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  const cases = [5_000, 60_000].flatMap((intervalMs) =>
    (['delta', 'cumulative'] as const).flatMap((temporality) =>
      [false, true].map((exponential) => ({ intervalMs, temporality, exponential })),
    ),
  );
  for (const { intervalMs, temporality, exponential } of cases) {
    const kind = exponential ? 'exponential' : 'explicit buckets';
    it(`every ${intervalMs / 1000} s, ${temporality}, ${kind}: 40/s within 5 % at every step, no empty bucket`, async () => {
      const rounds = intervalMs === 5_000 ? 90 : 30;
      // Exports 2 ms before a minute (and 5 s) boundary: timer jitter puts some on either side of it.
      const first = 1_800_000_000_000 + 59_998;
      let now = first;
      const handle = await startTestApp({}, () => now);
      close = () => handle.app.close();
      const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
      const service = `sdk-${intervalMs}-${temporality}${exponential ? '-exponential' : ''}`;
      const { provider, reader, exporter } = manualSdk(`${address}/v1/metrics`, service, temporality, exponential);
      const duration = provider.getMeter('test').createHistogram('http.server.request.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: BOUNDS_S },
      });
      const random = lcg(intervalMs + rounds);
      let previous = first - intervalMs;
      for (let round = 0; round < rounds; round++) {
        const at = first + round * intervalMs + Math.round((random() - 0.5) * 6);
        for (let i = 0; i < (RATE * (at - previous)) / 1000; i++) {
          duration.record(Math.exp(random() * 4 - 6), { 'http.route': '/pay', 'http.response.status_code': 200 });
        }
        const { resourceMetrics } = await reader.collect();
        retime(resourceMetrics, temporality === 'delta' ? previous : first - intervalMs, at);
        now = at + 20;
        const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
          exporter.export(resourceMetrics, resolve),
        );
        expect(result.error).toBeUndefined();
        previous = at;
      }
      await provider.shutdown();

      const dataFrom = first - intervalMs;
      // Read most of an interval after the last export: the time since has no data yet.
      now = previous + Math.floor(intervalMs * 0.7);
      let checked = 0;
      for (const range of RANGES) {
        for (const maxPoints of MAX_POINTS) {
          const res = await getJson<RedResponse>(
            handle.app,
            `/api/v1/red?service=${service}&from=now-${range}&maxPoints=${maxPoints}`,
          );
          const { step } = res.body;
          expect(step, `${range} ${maxPoints}`).toBeGreaterThanOrEqual(intervalMs);
          const [series] = serviceSeries(res.body);
          expect(series!.interval).toBe(intervalMs);
          // The series stops at its last export instead of reading 0 or a fraction for the time since.
          expect(series!.until).toBe(previous);
          for (const p of series!.points.filter((p) => p.t >= dataFrom)) {
            expect(
              Math.abs(p.rate - RATE) / RATE,
              `${range} ${maxPoints} step ${step} t ${p.t - now}: ${p.rate}/s`,
            ).toBeLessThanOrEqual(0.05);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(100);
      // The stat cards' last minute, read when the service has sent only its first half: the rate of that
      // half, for the service and the total (not half the rate, as if the rest had no requests).
      const minute = await getJson<OverviewResponse>(
        handle.app,
        `/api/v1/overview?service=${service}&from=${previous - 30_000}&to=${previous + 30_000}`,
      );
      for (const stats of [minute.body.total, minute.body.services[0]!]) {
        expect(Math.abs(stats.rate - RATE) / RATE, `overview ${stats.rate}/s`).toBeLessThanOrEqual(0.05);
      }
    }, 120_000);
  }
});
