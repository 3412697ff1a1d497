import type { RedResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildDirtyBuckets } from '../store/materialize-plugin.ts';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const HOUR = 3_600_000;

describe('range reads across tiers', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('count exactly the requests in [from, to) for any range and maxPoints', async () => {
    const hour = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    let now = hour + 20 * 60_000;
    const handle = await startTestApp({}, () => now);
    close = () => handle.app.close();
    const { app } = handle;
    const random = seeded(99);
    // Requests over the 50 minutes up to `now`, crossing an hour boundary.
    const times = Array.from({ length: 3000 }, () => now - 50 * 60_000 + Math.floor(random() * 50 * 60_000));
    const points = times.map((t) => [t, 1 + random() * 100]);
    const item = { service: 'svc', name: 'http.server.request.duration', type: 'histogram', points };
    expect((await ingest(app, [item])).status).toBe(202);
    // Rebuild the closed minutes and hour; the open ones stay dirty and are read from finer tiers.
    now += 5 * 60_000;
    await rebuildDirtyBuckets(app.core);
    expect(app.core.query.dirty.list(3, Infinity)[0]?.t).toBe(hour);

    for (let i = 0; i < 40; i++) {
      const from = now - 60 * 60_000 + Math.floor(random() * 55 * 60) * 1000;
      const to = from + 1000 * (1 + Math.floor(random() * ((now - from) / 1000)));
      const maxPoints = [1, 2, 7, 60, 300, 5000][i % 6]!;
      const res = await getJson<RedResponse>(
        app,
        `/api/v1/red?service=svc&from=${from}&to=${to}&maxPoints=${maxPoints}`,
      );
      // The response's from/to say where the data read starts and ends (snapped to stored buckets).
      expect(res.body.from).toBeLessThanOrEqual(from);
      expect(res.body.to).toBeGreaterThanOrEqual(to);
      const counted = res.body.series[0]!.points.reduce((n, p) => n + p.count, 0);
      const expected = times.filter((t) => t >= res.body.from && t < res.body.to).length;
      expect(counted, `from ${from - now} to ${to - now} maxPoints ${maxPoints} step ${res.body.step}`).toBe(expected);
    }
  });
});

describe('edge buckets on steady traffic', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('reads ~20/s in every bucket of the last hour asked at second :28 (not 400/s in the first)', async () => {
    // The clock moves on by a millisecond at every reading, as it does between parsing `from=now-1h` and
    // planning the reads: the 1 s tier then no longer holds the range's first second.
    const hour = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
    let now = hour + 28_400;
    const handle = await startTestApp({}, () => now++);
    close = () => handle.app.close();
    expect((await ingest(handle.app, [steady('api-gateway', 20, now - 62 * 60_000, now)])).status).toBe(202);
    const res = await getJson<RedResponse>(handle.app, '/api/v1/red?service=api-gateway&from=now-1h&maxPoints=160');
    expect(res.body.step).toBe(30_000);
    expect(res.body.from % 10_000).toBe(0);
    for (const p of res.body.series[0]!.points) expect(p.rate, `t ${p.t - hour}`).toBeCloseTo(20, 0);
  });

  it('reads ~50/s in every 2 s bucket of 5 minutes when the 1 s tier keeps 2 minutes', async () => {
    const now = 1_800_000_000_000 + 37_250;
    const handle = await startTestApp(
      { retentionMs: [2 * 60_000, 24 * HOUR, 30 * 24 * HOUR, 400 * 24 * HOUR] },
      () => now,
    );
    close = () => handle.app.close();
    expect((await ingest(handle.app, [steady('svc', 50, now - 7 * 60_000, now)])).status).toBe(202);
    const res = await getJson<RedResponse>(handle.app, `/api/v1/red?service=svc&from=now-5m&maxPoints=160`);
    expect(res.body.step).toBe(2_000);
    for (const p of res.body.series[0]!.points) expect(p.rate, `t ${p.t - now}`).toBeCloseTo(50, 0);
  });
});

/** `perSecond` requests a second, evenly spaced over [from, to). */
function steady(service: string, perSecond: number, from: number, to: number) {
  const gap = 1000 / perSecond;
  const points = Array.from({ length: Math.floor((to - from) / gap) }, (_, i) => [from + Math.floor(i * gap), 20]);
  return { service, name: 'http.server.request.duration', type: 'histogram', points };
}

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
