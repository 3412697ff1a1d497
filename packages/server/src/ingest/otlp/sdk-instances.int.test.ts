import type { Histogram } from '@opentelemetry/api';
import { type OverviewResponse, type RedResponse, serviceSeries } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { exportWith, manualSdk, retime } from '../../testing/manual-sdk.ts';
import { lcg } from '../../testing/otel-sdk.ts';
import { otlpCumulativeRequests } from '../../testing/otlp-export.ts';
import { createTestDatabase, postgresReachable } from '../../testing/postgres.ts';
import { getJson, startTestApp } from '../../testing/test-app.ts';

const RATE = 40;
const PODS = 3;
const INTERVAL = 60_000;
const ROUNDS = 12;
const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const shared = await postgresReachable('two processes on a shared store (ingest/otlp/sdk-instances.int.test.ts)');

/**
 * Three pods of one service (`service.instance.id` pod-0..2), each the JS SDK at its defaults (cumulative,
 * every 60 s), started 20 s apart, on a simulated clock. Each export brings one pod's last minute: until the
 * others have sent theirs, the time after their newest export holds one or two pods' requests only, and read
 * up to the newest export of any pod, the right edge of every chart showed a third or two thirds of the rate.
 */
describe('several instances of a service exporting every 60 s at different moments', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('read as the sum of their rates up to where every instance has exported, at every moment', async () => {
    const start = 1_800_000_000_000;
    let now = start;
    const handle = await startTestApp({}, () => now);
    close = () => handle.app.close();
    const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
    const service = 'pods';
    const random = lcg(7);
    const pods = Array.from({ length: PODS }, (_, i) => {
      const sdk = manualSdk(`${address}/v1/metrics`, service, 'cumulative', false, `pod-${i}`);
      const duration = sdk.provider.getMeter('test').createHistogram('http.server.request.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: BOUNDS_S },
      });
      // Each pod began its process one interval before its first export, at its own moment.
      const began = start + (i * INTERVAL) / PODS;
      return { ...sdk, duration, began, previous: began, last: began };
    });
    const everyPodFrom = Math.max(...pods.map((p) => p.began));
    const exports = pods
      .flatMap((pod) => Array.from({ length: ROUNDS }, (_, round) => ({ pod, round })))
      .map(({ pod, round }) => ({ pod, at: pod.began + (round + 1) * INTERVAL + Math.round((random() - 0.5) * 6) }))
      .sort((a, b) => a.at - b.at);

    let checked = 0;
    for (const [index, { pod, at }] of exports.entries()) {
      now = at + 20;
      await exportAt(pod, at, random);
      pod.last = at;
      // Read after each export of the last rounds, and 30 s later: every phase of the three pods' exports.
      if (index < exports.length - 2 * PODS) continue;
      for (const later of [50, 30_050]) {
        now = at + later;
        // Reads stop at a whole second: data is stored by the second.
        const everyPodUntil = Math.floor(Math.min(...pods.map((p) => p.last)) / 1000) * 1000;
        for (const [range, maxPoints] of [
          ['5m', 300],
          ['15m', 300],
          ['1h', 600],
        ] as const) {
          const res = await getJson<RedResponse>(
            handle.app,
            `/api/v1/red?service=${service}&from=now-${range}&maxPoints=${maxPoints}`,
          );
          const [series] = serviceSeries(res.body);
          expect(series!.until, `${range}: ends where every pod has exported`).toBe(everyPodUntil);
          for (const p of series!.points.filter((p) => p.t >= everyPodFrom)) {
            const what = `${range} step ${res.body.step} bucket ${(p.t - now) / 1000} s: ${p.rate}/s`;
            expect(Math.abs(p.rate - PODS * RATE) / (PODS * RATE), what).toBeLessThanOrEqual(0.05);
            checked++;
          }
        }
        // The stat cards over the last 5 minutes, and over a minute half of which every pod has exported: the
        // pods' whole rate, not the part the newest exports covered.
        for (const window of ['from=now-5m', `from=${everyPodUntil - 30_000}&to=${everyPodUntil + 30_000}`]) {
          const overview = await getJson<OverviewResponse>(handle.app, `/api/v1/overview?service=${service}&${window}`);
          for (const stats of [overview.body.total, overview.body.services[0]!]) {
            const what = `overview ${window}: ${stats.rate}/s`;
            expect(Math.abs(stats.rate - PODS * RATE) / (PODS * RATE), what).toBeLessThanOrEqual(0.05);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    for (const pod of pods) await pod.provider.shutdown();
  }, 120_000);
});

describe('two processes of a service sending one series (no service.instance.id, the SDKs default)', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('add up on one server, up to where both have exported: each process is told apart by its start', async () => {
    const { start, clock, handle, address } = await listeningOnClock();
    close = () => handle.app.close();
    const random = lcg(11);
    // Two replicas, the JS SDK at its defaults (cumulative, every 60 s), started 30 s apart.
    const replicas = [0, 1].map((i) => {
      const replica = noIdProcess(address, start + i * 30_000);
      return { ...replica, last: replica.began };
    });
    const exports = replicas
      .flatMap((replica) =>
        Array.from({ length: 8 }, (_, round) => ({ replica, at: replica.began + (round + 1) * INTERVAL })),
      )
      .sort((a, b) => a.at - b.at);
    const bothFrom = start + 2 * INTERVAL;
    let checked = 0;
    for (const [index, { replica, at }] of exports.entries()) {
      clock.now = at + 20;
      await exportAt(replica, at, random);
      replica.last = at;
      if (index < 6) continue;
      // Read right after each export and 30 s later. Each export brings one replica's last minute: read up to
      // the newest export of either, the newest half minute held one replica's requests (40/s, not 80).
      for (const later of [50, 30_050]) {
        clock.now = at + later;
        const res = await getJson<RedResponse>(handle.app, '/api/v1/red?service=noid&from=now-5m&maxPoints=300');
        const [series] = serviceSeries(res.body);
        expect(series!.until, 'ends where both have exported').toBe(Math.min(...replicas.map((r) => r.last)));
        for (const p of series!.points.filter((p) => p.t >= bothFrom)) {
          const what = `step ${res.body.step} bucket ${(p.t - clock.now) / 1000} s: ${p.rate}/s`;
          expect(Math.abs(p.rate - 2 * RATE) / (2 * RATE), what).toBeLessThan(0.05);
          checked++;
        }
        if (clock.now - 5 * INTERVAL < bothFrom) continue;
        const overview = await getJson<OverviewResponse>(handle.app, '/api/v1/overview?service=noid&from=now-5m');
        expect(Math.abs(overview.body.total.rate - 2 * RATE) / (2 * RATE), 'the last 5 minutes').toBeLessThan(0.05);
      }
    }
    expect(checked).toBeGreaterThan(20);
    // Nothing was refused (before the older start's points were dropped, the service read at 40/s).
    const metrics = await handle.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).not.toContain('pulseboard_otlp_rejected_items_total{signal="metrics"}');
    for (const replica of replicas) await replica.provider.shutdown();
  }, 60_000);

  it('is read up to its newest export when its one process restarts, or the one before', async () => {
    const { start, clock, handle, address } = await listeningOnClock();
    close = () => handle.app.close();
    const random = lcg(13);
    // Restarted twice, 5 s down each time: after the first restart, its two starts tell it apart from a
    // second process, and a newer start could be another replica as well as this one back (an interval).
    let process = noIdProcess(address, start);
    const restarts = [5, 9];
    const down = 5_000;
    let at = start;
    for (let round = 1; round <= 12; round++) {
      at += INTERVAL + (restarts.includes(round) ? down : 0);
      if (restarts.includes(round)) {
        await process.provider.shutdown();
        process = noIdProcess(address, at - INTERVAL);
      }
      clock.now = at + 20;
      await exportAt(process, at, random);
      clock.now = at + 50;
      const res = await getJson<RedResponse>(handle.app, '/api/v1/red?service=noid&from=now-5m&maxPoints=300');
      const [series] = serviceSeries(res.body);
      // At most the previous process's last export (the time it was down, then an interval).
      expect(at - series!.until!, `round ${round}: behind its newest export`).toBeLessThanOrEqual(down + INTERVAL);
      if (!restarts.includes(round)) expect(series!.until, `round ${round}`).toBe(at);
    }
    await process.provider.shutdown();
  }, 60_000);

  it('go on adding up after this server restarts: the last point of each start is stored', async () => {
    const start = 1_800_000_000_000;
    let now = start;
    let handle = await startTestApp({}, () => now);
    close = () => handle.app.close();
    const post = async (began: number, at: number, count: number) => {
      now = at + 20;
      expect(await postNoId(handle.app, began, at, count)).toEqual({ status: 200, body: {} });
    };
    const [a, b] = [start, start + 2_000];
    await post(a, start + 60_000, 100);
    await post(b, start + 62_000, 100);
    await post(a, start + 120_000, 200);
    await handle.app.close();
    handle = await startTestApp({ db: handle.config.db }, () => now);
    // Both processes go on from their last points (before: the older start's next export counted nothing).
    await post(a, start + 180_000, 300);
    await post(b, start + 180_000, 250);
    const res = await getJson<RedResponse>(
      handle.app,
      `/api/v1/red?service=noid&from=${start}&to=${start + 240_000}&maxPoints=4`,
    );
    const counted = serviceSeries(res.body)[0]!.points.reduce((n, p) => n + p.count, 0);
    expect(counted).toBe(300 + 250);
  });

  it.runIf(shared)('are refused where instances share the store, saying why, not dropped unsaid', async () => {
    const start = 1_800_000_000_000;
    let now = start;
    const database = await createTestDatabase();
    const handle = await startTestApp({ db: database.url }, () => now);
    close = async () => {
      await handle.app.close();
      await database.drop();
    };
    const post = async (began: number, at: number, count: number) => {
      now = at + 20;
      const { status, body } = await postNoId(handle.app, began, at, count);
      expect(status).toBe(200);
      return body;
    };
    // One process exports alone: accepted.
    expect(await post(start, start + 5_000, 100)).toEqual({});
    // A second one starts later with the same series: its start is newer, so the first's are the older ones.
    expect(await post(start + 2_000, start + 7_000, 100)).toEqual({});
    // Each instance would diff them against its own copy of the older start's last point and count another
    // instance's points again: refused, and the sender told.
    const refused = await post(start, start + 10_000, 200);
    expect(refused.partialSuccess?.rejectedDataPoints).toBe('1');
    expect(refused.partialSuccess?.errorMessage).toContain('service.instance.id');
    const metrics = await handle.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('pulseboard_otlp_rejected_items_total{signal="metrics"} 1');
  });
});

/** A process of the service: its SDK, its request histogram, when it began and when it last recorded. */
interface Process extends ReturnType<typeof manualSdk> {
  duration: Histogram;
  began: number;
  previous: number;
}

/** Records `RATE` requests a second since the process's previous export, and exports them as of `at`. */
async function exportAt(process: Process, at: number, random: () => number): Promise<void> {
  for (let i = 0; i < (RATE * (at - process.previous)) / 1000; i++) {
    process.duration.record(Math.exp(random() * 4 - 6), { 'http.route': '/pay', 'http.response.status_code': 200 });
  }
  const { resourceMetrics } = await process.reader.collect();
  retime(resourceMetrics, process.began, at);
  expect((await exportWith(process.exporter, resourceMetrics)).error).toBeUndefined();
  process.previous = at;
}

/** A process of service `noid` without `service.instance.id`: the JS SDK at its defaults, begun at `began`. */
function noIdProcess(address: string, began: number): Process {
  const sdk = manualSdk(`${address}/v1/metrics`, 'noid', 'cumulative', false, null);
  const duration = sdk.provider.getMeter('test').createHistogram('http.server.request.duration', { unit: 's' });
  return { ...sdk, duration, began, previous: began };
}

/** A server on a simulated clock (`clock.now`, from `start`), listening for the SDK's exporters. */
async function listeningOnClock() {
  const start = 1_800_000_000_000;
  const clock = { now: start };
  const handle = await startTestApp({}, () => clock.now);
  const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
  return { start, clock, handle, address };
}

/** Posts one OTLP cumulative export of service `noid` (see `otlpCumulativeRequests`): its status and answer. */
async function postNoId(app: FastifyInstance, began: number, at: number, count: number) {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/metrics',
    headers: { 'content-type': 'application/json' },
    payload: otlpCumulativeRequests('noid', began, at, count),
  });
  return {
    status: res.statusCode,
    body: res.json() as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } },
  };
}
