import { type RedResponse, serviceSeries } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { exportWith, manualSdk, retime, type Temporality } from '../../testing/manual-sdk.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';

const INTERVAL = 60_000;
const RATE = 40;

/**
 * A stranger's SDK exporting every 60 s (its default): from its first export, and while the server restarts and
 * misses one, the service reads at 60 s steps and 40/s up to its last report, before and after its next export.
 */
describe('a 60 s exporter from its first export and across a server restart', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  for (const temporality of ['delta', 'cumulative'] as const) {
    it(`${temporality}: the time since the last export is unknown, not 0, and a lost export is not an interval`, async () => {
      const { server, exportRound, read } = await setup(temporality);
      for (let round = 0; round < 5; round++) await exportRound(round);
      await server.restart(async () => {
        // The SDK collects (and, the server being down, loses) the export of round 5.
        await exportRound(5, { send: false });
      });

      // Half an interval after the export the server missed: data ends at the last export it took (round 4).
      server.now = server.exportAt(5) + INTERVAL / 2;
      const before = await read();
      expect(before.until).toBe(server.exportAt(4));
      expect(before.last.rate).toBeCloseTo(RATE, 0);

      // The next export spans two intervals when cumulative (since the last point the server has): still 60 s.
      await exportRound(6);
      server.now = server.exportAt(6) + INTERVAL / 2;
      const after = await read();
      expect(after.interval).toBe(INTERVAL);
      expect(after.step).toBe(INTERVAL);
      expect(after.until).toBe(server.exportAt(6));
      expect(after.last.rate).toBeCloseTo(RATE, 0);
    }, 120_000);
  }

  it('cumulative, as by default: a new service reads at 60 s up to its first export, not 0 until its second', async () => {
    const { server, exportRound, read } = await setup('cumulative');
    // The process started one interval before its first export.
    await exportRound(0);
    server.now = server.exportAt(0) + INTERVAL / 2;
    const first = await read();
    expect(first.interval).toBe(INTERVAL);
    expect(first.until).toBe(server.exportAt(0));
    expect(first.last.rate).toBeCloseTo(RATE, 0);
    await exportRound(1);
    server.now = server.exportAt(1) + INTERVAL / 2;
    expect(await read()).toMatchObject({ interval: INTERVAL, until: server.exportAt(1) });
  }, 60_000);

  async function setup(temporality: Temporality) {
    const first = 1_800_000_000_000 + 30_000;
    const server = {
      now: first,
      app: undefined as unknown as FastifyInstance,
      url: '',
      exportAt: (round: number) => first + round * INTERVAL,
      restart: async (whileDown: () => Promise<void>) => {
        const db = handle.config.db;
        await server.app.close();
        await whileDown();
        await start(db);
      },
    };
    const start = async (db?: string) => {
      handle = await startTestApp(db ? { db } : {}, () => server.now);
      server.app = handle.app;
      server.url = `${await handle.app.listen({ port: 0, host: '127.0.0.1' })}/v1/metrics`;
      close = () => handle.app.close();
    };
    let handle: Awaited<ReturnType<typeof startTestApp>>;
    await start();
    const service = `restart-${temporality}`;
    const { provider, reader } = manualSdk(server.url, service, temporality);
    const duration = provider.getMeter('test').createHistogram('http.server.request.duration', { unit: 's' });
    const exportRound = async (round: number, { send = true } = {}) => {
      for (let i = 0; i < (RATE * INTERVAL) / 1000; i++) duration.record(0.02, { 'http.response.status_code': 200 });
      const { resourceMetrics } = await reader.collect();
      const end = server.exportAt(round);
      retime(resourceMetrics, temporality === 'delta' ? end - INTERVAL : first - INTERVAL, end);
      if (!send) return;
      server.now = end + 20;
      // An exporter of the server as it is now (its port changes with a restart).
      const { exporter } = manualSdk(server.url, service, temporality);
      expect((await exportWith(exporter, resourceMetrics)).error).toBeUndefined();
    };
    const read = async () => {
      const res = await getJson<RedResponse>(server.app, `/api/v1/red?service=${service}&from=now-15m&maxPoints=300`);
      const [series] = serviceSeries(res.body);
      return { step: res.body.step, interval: series!.interval, until: series!.until, last: series!.points.at(-1)! };
    };
    return { server, exportRound, read };
  }
});
