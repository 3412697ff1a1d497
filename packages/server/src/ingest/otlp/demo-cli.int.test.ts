import type { AddressInfo } from 'node:net';
import { buildExportRequest, countObservations, DemoGenerator, encodeExportRequest } from '@pulseboard/demo';
import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../../testing/test-app.ts';

/**
 * The demo CLI's own OTLP encoder against the real server over HTTP: what `npm run demo -- --format otlp-*`
 * sends must be stored in full, so the continuous demo traffic really exercises the OTLP path.
 */
const NOW = 1_795_881_944_000;
const SECOND = NOW - 5000;

describe('demo CLI OTLP encoder against /v1/metrics', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it.each([
    ['otlp-json', 'application/json'],
    ['otlp-protobuf', 'application/x-protobuf'],
  ] as const)('stores every observation of one generated second sent as %s', async (format, contentType) => {
    const { app } = await startTestApp({}, () => NOW);
    close = () => app.close();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    const items = new DemoGenerator({ seed: 5, origin: NOW - 3_600_000 }).observe(SECOND, SECOND + 1000);
    const requests = items.filter((i) => i.type === 'histogram');
    const request = buildExportRequest(items);
    const body = format === 'otlp-json' ? JSON.stringify(request) : encodeExportRequest(request);
    const res = await fetch(`${base}/v1/metrics`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(res.status).toBe(200);
    const answer = new Uint8Array(await res.arrayBuffer());
    // Full success is an empty message: `{}` in JSON, zero bytes in protobuf.
    if (format === 'otlp-json') expect(JSON.parse(new TextDecoder().decode(answer))).toEqual({});
    else expect(answer.length).toBe(0);

    const red = await fetch(`${base}/api/v1/red?from=${NOW - 60_000}&to=${NOW}&maxPoints=1`);
    const series = serviceSeries((await red.json()) as RedResponse);
    const stored = series.flatMap((s) => s.points).reduce((n, p) => n + p.count, 0);
    expect(stored).toBeGreaterThan(50);
    expect(stored).toBe(countObservations(requests));
    const errors = series.flatMap((s) => s.points).reduce((n, p) => n + p.count * (p.errorRate ?? 0), 0);
    const sentErrors = requests.filter((i) => Number(i.attributes?.['http.response.status_code']) >= 500);
    expect(Math.round(errors)).toBe(countObservations(sentErrors));
    const services = new Set(series.map((s) => s.service));
    expect(services).toEqual(new Set(requests.map((i) => i.service)));
  });
});
