import type { SeriesResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { exportWith, manualSdk, retime } from '../../testing/manual-sdk.ts';
import { lcg } from '../../testing/otel-sdk.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';

const RATE = 40;

/**
 * The JS SDK's counter, exported every 60 s (its default) beside the service's request durations, on a simulated
 * clock (see sdk-intervals.int.test.ts): the metric chart's rate is the counter's steady rate in every bucket, at
 * every range, and stops at the last export instead of reading 0 since.
 */
describe('an SDK counter exported every 60 s reads as a steady rate', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  for (const temporality of ['delta', 'cumulative'] as const) {
    it(`${temporality}: 40/s within 5 % in every bucket of the metric chart, at any range`, async () => {
      const intervalMs = 60_000;
      const first = 1_800_000_000_000 + 59_998;
      let now = first;
      const handle = await startTestApp({}, () => now);
      close = () => handle.app.close();
      const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
      const { provider, reader, exporter } = manualSdk(`${address}/v1/metrics`, 'shop', temporality);
      const meter = provider.getMeter('test');
      const orders = meter.createCounter('orders.created');
      const duration = meter.createHistogram('http.server.request.duration', { unit: 's' });
      const random = lcg(7);
      let previous = first - intervalMs;
      for (let round = 0; round < 20; round++) {
        const at = first + round * intervalMs + Math.round((random() - 0.5) * 6);
        orders.add((RATE * (at - previous)) / 1000, { region: 'eu' });
        duration.record(0.02, { 'http.route': '/pay', 'http.response.status_code': 200 });
        const { resourceMetrics } = await reader.collect();
        retime(resourceMetrics, temporality === 'delta' ? previous : first - intervalMs, at);
        now = at + 20;
        expect((await exportWith(exporter, resourceMetrics)).error).toBeUndefined();
        previous = at;
      }
      await provider.shutdown();
      now = previous + 40_000;
      for (const range of ['5m', '15m', '1h']) {
        const res = await getJson<SeriesResponse>(
          handle.app,
          `/api/v1/series?metric=orders.created&service=shop&from=now-${range}&maxPoints=300`,
        );
        expect(res.status).toBe(200);
        expect(res.body.series[0]!.until).toBe(previous);
        const points = res.body.series[0]!.points.filter((p) => p.t >= first && p.value !== null);
        expect(points.length, range).toBeGreaterThan(3);
        for (const p of points) {
          expect(
            Math.abs(p.value! - RATE) / RATE,
            `${range} step ${res.body.step} t ${p.t - now}: ${p.value}/s`,
          ).toBeLessThanOrEqual(0.05);
        }
      }
    });
  }
});
