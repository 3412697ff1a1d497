import { describe, expect, it } from 'vitest';
import { getJson, startTestApp } from './testing/test-app.ts';

describe('/metrics', () => {
  it('times requests to every route, not only the operations routes', async () => {
    const { app } = await startTestApp();
    await getJson(app, '/api/v1/services');
    await getJson(app, '/api/v1/red?from=now-5m&maxPoints=10');
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(
      /pulseboard_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/services",status="200"\} 1/,
    );
    expect(text).toMatch(
      /pulseboard_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/red",status="200"\} 1/,
    );
    await app.close();
  });

  it('names the process metrics as Node.js process dashboards expect', async () => {
    const { app } = await startTestApp();
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(text).toMatch(/^pulseboard_ingested_observations_total /m);
    await app.close();
  });
});
