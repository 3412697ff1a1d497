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
    expect(app.core.query.dirty.first(3)).toBe(hour);

    for (let i = 0; i < 40; i++) {
      const from = now - 60 * 60_000 + Math.floor(random() * 55 * 60) * 1000;
      const to = from + 1000 * (1 + Math.floor(random() * ((now - from) / 1000)));
      const maxPoints = [1, 2, 7, 60, 300, 5000][i % 6]!;
      const res = await getJson<RedResponse>(
        app,
        `/api/v1/red?service=svc&from=${from}&to=${to}&maxPoints=${maxPoints}`,
      );
      const counted = res.body.series[0]!.points.reduce((n, p) => n + p.count, 0);
      const expected = times.filter((t) => t >= from && t < to).length;
      expect(counted, `from ${from - now} to ${to - now} maxPoints ${maxPoints} step ${res.body.step}`).toBe(expected);
    }
  });
});

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}
