import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest } from '../testing/test-app.ts';
import { enforceRetention } from './retention-plugin.ts';
import { startBackendApp, storeBackends } from './test-backends.ts';

const HOUR = 3_600_000;

describe.each(await storeBackends('retention on PostgreSQL'))('retention ($name)', (backend) => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('deletes each tier past its retention and reads older ranges from the coarser tiers', async () => {
    let now = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    const started = await startBackendApp(backend, () => now);
    close = started.close;
    const { app } = started;
    const t = now - 30 * 60_000;
    const requests = {
      service: 'a',
      name: 'http.server.request.duration',
      type: 'histogram',
      points: [
        [t, 5],
        [t + 1, 7],
      ],
    };
    expect((await ingest(app, [requests])).status).toBe(202);

    now += 2 * HOUR; // the 1 s tier keeps one hour
    const deleted = await enforceRetention(app.core);
    expect(deleted).toBe(1); // the 1 s row: the service rollup
    const read = (tier: 0 | 1) => app.core.store.readRed({ tier, services: ['a'], byRoute: false, from: 0, to: now });
    expect(await read(0)).toEqual([]);
    expect(await read(1)).toHaveLength(1);

    // A 1 s step over that time now comes from the 10 s tier, spread over its ten seconds: both requests count.
    const red = await getJson<{ series: { points: { count: number }[] }[] }>(
      app,
      `/api/v1/red?service=a&from=${t - 60_000}&to=${t + 60_000}&maxPoints=120`,
    );
    const counts = red.body.series[0]!.points.map((p) => p.count).filter((n) => n > 0);
    expect(counts).toHaveLength(10);
    expect(counts.reduce((n, c) => n + c, 0)).toBeCloseTo(2, 9);
  });
});
