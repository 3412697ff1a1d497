import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';
import type { SqliteStore } from './sqlite/sqlite-store.ts';

// The time of the saved OTLP sample, so its points are "now".
const NOW = 1_795_881_944_000;
const OTLP_SAMPLE = path.join(import.meta.dirname, '../ingest/otlp/testdata/metrics-delta-1.json');

describe('a full disk', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('answers 503 with Retry-After on both ingest routes, stores nothing, and recovers when space returns', async () => {
    const { app } = await startTestApp({}, () => NOW);
    close = () => app.close();
    const db = (app.core.store as SqliteStore).db;
    expect((await ingest(app, batch('warm-up'))).status).toBe(202);

    // SQLite's own size cap fails writes exactly as a full device does (SQLITE_FULL), without root or a tmpfs.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const native = await app.inject({ method: 'POST', url: '/api/v1/metrics', payload: { metrics: batch('full') } });
    expect(native.statusCode).toBe(503);
    expect(native.headers['retry-after']).toBe('30');
    expect(native.json()).toEqual({
      code: 'PULSE_ERR_DISK_FULL',
      message: 'the database disk is full; nothing was stored, retry later',
    });
    const otlp = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/json' },
      payload: fs.readFileSync(OTLP_SAMPLE),
    });
    // UNAVAILABLE with Retry-After: what the OTLP/HTTP spec has exporters retry (500 / INTERNAL they drop).
    expect(otlp.statusCode).toBe(503);
    expect(otlp.headers['retry-after']).toBe('30');
    expect(otlp.json()).toEqual({ code: 14, message: expect.stringMatching(/disk is full/) });
    expect(await services(app)).toEqual(['warm-up']);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^pulseboard_disk_full_errors_total 2$/m);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    db.pragma('max_page_count = 1073741823');
    expect((await ingest(app, batch('full'))).status).toBe(202);
    const retried = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/json' },
      payload: fs.readFileSync(OTLP_SAMPLE),
    });
    expect(retried.statusCode).toBe(200);
    expect(await services(app)).toEqual(['checkout-api', 'full', 'warm-up']);
  });
});

/** 200 series with long attributes: new rows on new pages. */
function batch(service: string) {
  return Array.from({ length: 200 }, (_, i) => ({
    service,
    name: 'http.server.request.duration',
    type: 'histogram',
    value: 10 + i,
    attributes: { 'http.route': `/route/${i}/${'x'.repeat(200)}` },
  }));
}

async function services(app: Parameters<typeof getJson>[0]): Promise<string[]> {
  const { body } = await getJson<{ services: { name: string }[] }>(app, '/api/v1/services');
  return body.services.map((s) => s.name).sort();
}
