import type { RedResponse, RedSeries } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { rebuildDirtyBuckets } from '../store/materialize-plugin.ts';
import { startBackendApp, storeBackends } from '../store/test-backends.ts';
import { getJson, ingest, logNormalValues } from '../testing/test-app.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const ROUTES = ['/cart', '/pay', '/search'];

/**
 * Late data marks a few closed minutes (and their hours) dirty: a read must take those from the finer tier,
 * and may take every other bucket from the rebuilt coarse tiers. Either way the answer is the one after the
 * rebuild, to the request and to the percentile.
 */
describe.each(await storeBackends('reads with some coarse buckets dirty on PostgreSQL'))(
  'RED reads with some coarse buckets dirty ($name)',
  (backend) => {
    let close: () => Promise<void> = async () => {};
    afterEach(() => close());

    it('count every request and give the rebuilt percentiles, by service and by route, at 1 min and 1 h steps', async () => {
      const start = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
      const now = start + 3 * HOUR + 5 * MINUTE;
      const started = await startBackendApp(backend, () => now);
      close = started.close;
      const { app } = started;
      const sent: { t: number; route: string }[] = [];
      const send = async (from: number, span: number, n: number, seed: number) => {
        const values = logNormalValues(n * ROUTES.length, seed);
        const metrics = ROUTES.map((route, r) => {
          const points = Array.from({ length: n }, (_, i) => [from + Math.floor((i * span) / n), values[r * n + i]!]);
          for (const [t] of points) sent.push({ t: t!, route });
          const status = r === 1 ? 500 : 200;
          return {
            service: 'shop',
            name: 'http.server.request.duration',
            type: 'histogram',
            unit: 'ms',
            attributes: { 'http.route': route, 'http.response.status_code': status },
            points,
          };
        });
        expect((await ingest(app, metrics)).status).toBe(202);
      };
      // Rebuilt until no mark is left (on PostgreSQL a commit can land and mark again during a rebuild).
      const rebuildAll = async () => {
        for (let pass = 0; pass < 5 && app.core.query.dirty.size > 0; pass++) await rebuildDirtyBuckets(app.core);
        expect(app.core.query.dirty.size).toBe(0);
      };
      await send(start, 3 * HOUR, 600, 1);
      await app.core.aggregator.flush();
      await rebuildAll();
      // Late data into minute 20 of the first hour and minutes 35-36 of the second.
      await send(start + 20 * MINUTE, MINUTE, 40, 2);
      await send(start + HOUR + 35 * MINUTE, 2 * MINUTE, 40, 3);
      await app.core.aggregator.flush();
      expect(app.core.query.dirty.list(2, Infinity).map((m) => (m.t - start) / MINUTE)).toEqual([20, 95, 96]);

      const queries = [180, 3].flatMap((maxPoints) =>
        ['', '&groupBy=route'].map(
          (group) => `/api/v1/red?from=${start}&to=${start + 3 * HOUR}&maxPoints=${maxPoints}${group}`,
        ),
      );
      const read = async () => {
        const answers: RedSeries[][] = [];
        for (const url of queries) {
          const res = await getJson<RedResponse>(app, url);
          expect(res.status).toBe(200);
          answers.push(res.body.series);
        }
        return answers;
      };
      const whileDirty = await read();
      await rebuildAll();
      const rebuilt = await read();
      expect(whileDirty).toEqual(rebuilt);

      // And every request is counted in its bucket, as sent.
      whileDirty.forEach((series, q) => {
        const step = q < 2 ? MINUTE : HOUR;
        for (const s of series) {
          const route = 'route' in s ? s.route : undefined;
          for (const p of s.points) {
            const expected = sent.filter(
              (r) => (route === undefined || r.route === route) && r.t >= p.t && r.t < p.t + step,
            ).length;
            expect(p.count, `${queries[q]} ${route ?? ''} at ${p.t - start}`).toBe(expected);
          }
        }
      });
    });
  },
);
