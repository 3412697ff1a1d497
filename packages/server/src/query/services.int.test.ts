import type { OverviewResponse, ServicesResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const HOUR = 3_600_000;

describe('services', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('drops a service silent past the inactivity period from the default views, and forgets a deleted one', async () => {
    let now = 1_800_000_000_000;
    const handle = await startTestApp({ inactiveAfterMs: 2 * HOUR }, () => now);
    close = () => handle.app.close();
    const { app } = handle;
    const request = (service: string, t: number) => ({
      service,
      name: 'http.server.request.duration',
      type: 'histogram',
      value: 9,
      timestamp: t,
    });
    await ingest(app, [request('old', now - 3 * HOUR), request('new', now - 1000)]);

    const services = await getJson<ServicesResponse>(app, '/api/v1/services');
    expect(services.body.services).toEqual([
      { name: 'new', lastSeen: now - 1000, active: true, redSource: 'metrics' },
      { name: 'old', lastSeen: now - 3 * HOUR, active: false, redSource: 'metrics' },
    ]);
    const overview = await getJson<OverviewResponse>(app, '/api/v1/overview?from=now-4h');
    expect(overview.body.services.map((s) => s.service)).toEqual(['new']);
    // Asked for by name, an inactive service still answers.
    const named = await getJson<OverviewResponse>(app, '/api/v1/overview?from=now-4h&service=old');
    expect(named.body.services[0]).toMatchObject({ service: 'old', count: 1 });

    const deleted = await app.inject({ method: 'DELETE', url: '/api/v1/services/new' });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/services/new' })).statusCode).toBe(404);
    now += 1000;
    const after = await getJson<ServicesResponse>(app, '/api/v1/services');
    expect(after.body.services.map((s) => s.name)).toEqual(['old']);
    const metrics = await getJson<{ metrics: unknown[] }>(app, '/api/v1/metrics?service=new');
    expect(metrics.body.metrics).toEqual([]);
    // The name is free again, with no memory of the old data's type or series.
    expect((await ingest(app, [{ ...request('new', now - 10), type: 'gauge' }])).status).toBe(202);
  });
});
