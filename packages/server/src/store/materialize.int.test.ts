import type { RedResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest } from '../testing/test-app.ts';
import { rebuildDirtyBuckets } from './materialize-plugin.ts';
import { startBackendApp, storeBackends } from './test-backends.ts';

const HOUR = 3_600_000;

describe.each(await storeBackends('coarse rebuilds on PostgreSQL'))(
  'minute and hour buckets rebuilt from the tier below ($name)',
  (backend) => {
    let close: () => Promise<void> = async () => {};
    afterEach(() => close());

    /** A test app whose clock (`clock.now`) the test moves, starting 10 minutes into an hour. */
    async function startAtHour() {
      const start = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
      const clock = { now: start + 10 * 60_000 };
      const started = await startBackendApp(backend, () => clock.now);
      close = started.close;
      return { app: started.app, start, clock };
    }

    it('counts the same before and after they are rebuilt, and again after late data', async () => {
      const { app, start, clock } = await startAtHour();
      const requests = (n: number, t: number, status = 200) => ({
        service: 'shop',
        name: 'http.server.request.duration',
        type: 'histogram',
        attributes: { 'http.response.status_code': status },
        points: Array.from({ length: n }, (_, i) => [t + i, 10 + i]),
      });
      expect((await ingest(app, [requests(100, start + 60_000), requests(5, start + 120_000, 500)])).status).toBe(202);
      const weekly = () =>
        getJson<RedResponse>(
          app,
          `/api/v1/red?service=shop&from=${start - 6 * 24 * HOUR}&to=${start + HOUR}&maxPoints=200`,
        );
      const total = (r: RedResponse) => r.series[0]!.points.reduce((n, p) => n + p.count, 0);

      // Not rebuilt yet: the minutes and the hour are read from the 10 s tier.
      expect((await weekly()).body.step).toBe(HOUR);
      expect(total((await weekly()).body)).toBe(105);
      expect(
        await app.core.store.readRed({ tier: 2, services: ['shop'], byRoute: false, from: start, to: start + HOUR }),
      ).toEqual([]);

      // The hour closes and is rebuilt (its minutes first); then late data arrives for it.
      clock.now = start + HOUR + 3 * 60_000;
      expect(await rebuildDirtyBuckets(app.core)).toBe(3);
      expect(total((await weekly()).body)).toBe(105);
      expect((await ingest(app, [requests(7, start + 30 * 60_000)])).status).toBe(202);
      expect(app.core.query.dirty.list(3, Infinity)[0]?.t).toBe(start);

      // Read right away (from finer tiers where dirty) and after the rebuild, the late data counts once.
      expect(total((await weekly()).body)).toBe(112);
      expect(await rebuildDirtyBuckets(app.core)).toBe(2);
      const built = (await weekly()).body;
      expect(total(built)).toBe(112);
      expect(built.series[0]!.points.at(-1)).toMatchObject({ t: start, count: 112 });
      expect(built.series[0]!.points.at(-1)!.errorRate).toBeCloseTo(5 / 112, 6);
      const hourRows = await app.core.store.readRed({
        tier: 3,
        services: ['shop'],
        byRoute: false,
        from: start,
        to: start + HOUR,
      });
      expect(hourRows.map((r) => r.count)).toEqual([112]);
    });

    it('waits until writes to a closed bucket pause before rebuilding it, but not forever', async () => {
      const { app, start, clock } = await startAtHour();
      const point = (t: number) => ({ service: 'shop', name: 'g', type: 'gauge', points: [[t, 1]] });
      const minute = start + 60_000;
      const quiet = { quietMs: 2_000 };
      // An import touching the closed minute every second: not rebuilt while it goes on...
      for (let i = 0; i < 3; i++) {
        expect((await ingest(app, [point(minute + i * 1000)])).status).toBe(202);
        clock.now += 1_000;
        expect(await rebuildDirtyBuckets(app.core, quiet)).toBe(0);
      }
      // ...then once it pauses.
      clock.now += 2_000;
      expect(await rebuildDirtyBuckets(app.core, quiet)).toBeGreaterThan(0);
      expect(app.core.query.dirty.list(2, Infinity)).toEqual([]);
      // Written without pause for a minute, it is rebuilt anyway.
      for (let i = 0; i <= 60; i++) {
        expect((await ingest(app, [point(minute + 5_000 + i)])).status).toBe(202);
        clock.now += 1_000;
        const built = await rebuildDirtyBuckets(app.core, quiet);
        if (i < 59) expect(built, `second ${i}`).toBe(0);
        else if (built > 0) return;
      }
      throw new Error('a bucket written every second was never rebuilt');
    });
  },
);
