import { isTotalSeries, type OverviewResponse, type RedResponse, serviceSeries } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { otlpDurations, otlpMinute } from '../testing/otlp-export.ts';
import { getJson, ingest, logNormalValues, startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const MIN = 60_000;

describe('merged services (red total=true, overview total)', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('gives the percentiles of all requests together, not an average, and adds rates', async () => {
    const { app } = await setup();
    const from = NOW - 10 * MIN;
    // A fast service (~10 ms, 6,000 requests) and a slow one (~500 ms, 600 requests, a tenth of them 5xx)
    // over one minute: the merged p99 is a slow request; an average of the two p99s would be ~260 ms.
    const fast = logNormalValues(6000, 3, Math.log(10), 0.3);
    const slow = logNormalValues(600, 5, Math.log(500), 0.2);
    const at = (values: number[], i: number) => [from + Math.floor((i * MIN) / values.length), values[i]!];
    await ingest(app, [
      item(
        'fast',
        200,
        fast.map((_, i) => at(fast, i)),
      ),
      item(
        'slow',
        200,
        slow.map((_, i) => at(slow, i)).filter((_, i) => i % 10 !== 0),
      ),
      item(
        'slow',
        500,
        slow.map((_, i) => at(slow, i)).filter((_, i) => i % 10 === 0),
      ),
    ]);
    const res = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=fast&service=slow&from=${from}&to=${from + MIN}&maxPoints=6&total=true`,
    );
    expect(res.status).toBe(200);
    expect(res.body.step).toBe(10_000);
    expect(serviceSeries(res.body).map((s) => s.service)).toEqual(['fast', 'slow']);
    const total = res.body.series.find(isTotalSeries)!;
    expect(total).not.toHaveProperty('service');
    expect(res.body.series.at(-1)).toBe(total);
    for (const [i, point] of total.points.entries()) {
      const inBucket = (values: number[]) =>
        values.filter((_, k) => Math.floor((k * MIN) / values.length / 10_000) === i);
      const exact = [...inBucket(fast), ...inBucket(slow)].sort((a, b) => a - b);
      expect(point.count).toBe(exact.length);
      expect(point.rate).toBeCloseTo(exact.length / 10, 6);
      expect(point.errorRate).toBeCloseTo(inBucket(slow).filter((_, k) => k % 10 === 0).length / exact.length, 2);
      for (const [q, key] of [
        [0.5, 'p50'],
        [0.95, 'p95'],
        [0.99, 'p99'],
      ] as const) {
        const want = exact[Math.floor(q * (exact.length - 1))]!;
        expect(Math.abs(point[key]! - want) / want, `bucket ${i} ${key}`).toBeLessThanOrEqual(0.01);
      }
      expect(point.p99!).toBeGreaterThan(350);
    }

    const overview = await getJson<OverviewResponse>(
      app,
      `/api/v1/overview?service=fast&service=slow&from=${from}&to=${from + MIN}`,
    );
    const all = [...fast, ...slow].sort((a, b) => a - b);
    expect(overview.body.total.count).toBe(6600);
    expect(overview.body.total.rate).toBeCloseTo(110, 6);
    const p99 = all[Math.floor(0.99 * (all.length - 1))]!;
    expect(Math.abs(overview.body.total.p99! - p99) / p99).toBeLessThanOrEqual(0.01);
  });

  it('adds the rates of services that report every 60 s at other moments, each over what it has sent', async () => {
    const { app } = await setup();
    // Two SDKs exporting 600 requests a minute (10/s), `a` at 20 s past each minute and `b` at 40 s past; at NOW,
    // `a` has sent up to 100 s before and `b` up to 80 s before. The merged series stops at the earlier.
    const minutes = [10, 9, 8, 7, 6, 5, 4, 3];
    const exports = ['a', 'b'].flatMap((service, i) =>
      minutes.map((m) => otlpMinute(service, NOW - m * MIN + (i + 1) * 20_000, NOW - (m - 1) * MIN + (i + 1) * 20_000)),
    );
    for (const payload of exports) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(res.statusCode).toBe(200);
    }
    const res = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=a&service=b&from=${NOW - 9 * MIN}&maxPoints=10&total=true`,
    );
    const total = res.body.series.find(isTotalSeries)!;
    expect(total.until).toBe(NOW - 100_000);
    expect(total.points.length).toBeGreaterThan(5);
    // The last bucket holds 40 s of `b` beside 20 s of `a`: divided by `a`'s 20 s alone it read 30/s.
    for (const p of total.points) expect(p.rate, `t ${p.t - NOW}`).toBeCloseTo(20, 6);
  });

  it('merges percentiles only over time every service has sent, when they report every 60 s at other moments', async () => {
    // `fast` (20/s, 25-65 ms) exports at 2 s past each minute, `slow` (10/s, 80-180 ms) at 30 s past; read 5 s
    // into a minute, `fast` has sent all of the last minute and `slow` only its first 30 s. Merging all each has
    // sent would weigh `fast` 4:1 instead of its 2:1 share of requests (p50 45 ms instead of 52).
    const now = NOW + 5_000;
    const { app } = await setup(now);
    const fast = spaced(30, 25, 65).flatMap((ms) => new Array<number>(40).fill(ms));
    const slow = spaced(50, 80, 180).flatMap((ms) => new Array<number>(12).fill(ms));
    const exports = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].flatMap((m) => [
      otlpDurations('fast', NOW - (m + 1) * MIN + 2_000, NOW - m * MIN + 2_000, fast),
      otlpDurations('slow', NOW - (m + 2) * MIN + 30_000, NOW - (m + 1) * MIN + 30_000, slow),
    ]);
    for (const payload of exports) {
      const res = await app.inject({ method: 'POST', url: '/v1/metrics', payload });
      expect(res.statusCode).toBe(200);
    }
    // Over any time both have sent, a minute of `fast` beside a minute of `slow`.
    const all = [...fast, ...slow].sort((a, b) => a - b);
    const exact = (q: number) => all[Math.floor(q * (all.length - 1))]!;
    const near = (got: number | null, q: number, what: string) =>
      expect(Math.abs(got! - exact(q)) / exact(q), `${what}: ${got} against ${exact(q)}`).toBeLessThanOrEqual(0.02);

    const res = await getJson<RedResponse>(
      app,
      `/api/v1/red?service=fast&service=slow&from=now-8m&maxPoints=160&total=true`,
    );
    expect(res.body.step).toBe(MIN);
    const total = res.body.series.find(isTotalSeries)!;
    expect(total.until).toBe(NOW - 30_000);
    for (const p of total.points.filter((p) => p.count > 0)) {
      near(p.p50, 0.5, `bucket ${p.t - NOW} p50`);
      near(p.p99, 0.99, `bucket ${p.t - NOW} p99`);
    }
    // The merged points end with the last bucket both have sent in full; the services' own go on.
    expect(total.points.at(-1)!.t).toBe(NOW - 2 * MIN);
    expect(serviceSeries(res.body).map((s) => s.points.at(-1)!.t)).toEqual([NOW, NOW - MIN]);

    // The stat card's last complete minute: `slow` has sent 30 s of it, `fast` all of it.
    const minute = await getJson<OverviewResponse>(
      app,
      `/api/v1/overview?service=fast&service=slow&from=${NOW - MIN}&to=${NOW}`,
    );
    near(minute.body.total.p50, 0.5, 'last minute p50');
    near(minute.body.total.p99, 0.99, 'last minute p99');
    // Rates still add each service's over what it has sent: 20/s and 10/s.
    expect(minute.body.total.rate).toBeCloseTo(30, 3);
    near(minute.body.total.previous.p50, 0.5, 'minute before p50');
    expect(minute.body.until).toBe(NOW - 30_000);
  });

  it('says where a 60 s exporter that has sent none of the last minute yet has sent up to', async () => {
    // `slow` exports half a second past each minute; 0.3 s past one, its export of the last minute is on its way.
    const { app } = await setup(NOW + 300);
    for (const m of [5, 4, 3, 2, 1]) await app.inject({ method: 'POST', url: '/v1/metrics', payload: slowMinute(m) });
    const overview = (from: number) =>
      getJson<OverviewResponse>(app, `/api/v1/overview?service=slow&from=${from}&to=${from + MIN}`);
    const last = await overview(NOW - MIN);
    // Read as it stands, that minute has half a second of `slow` and no percentiles or error rate (the stat
    // cards' "–"): the page shows the minute `until` falls in instead.
    expect(last.body.total).toMatchObject({ p50: null, p99: null, errorRate: null });
    expect(last.body.until).toBe(NOW - MIN);
    const sent = await overview(last.body.until! - MIN);
    expect(sent.body.total.rate).toBeCloseTo(10, 3);
    expect(sent.body.total.p50).not.toBeNull();
    expect(sent.body.until).toBeUndefined();
  });

  it("divides a service's rate by the part of the window since its first request, not the whole window", async () => {
    // `steady` sends 5/s all minute; `fresh` starts 10 s before the minute's end at 30/s. Read 2 s later (the
    // stat cards' "last min"), `fresh` read 5/s (300 requests over 60 s) before.
    const { app } = await setup(NOW + 2_000);
    const spread = (from: number, n: number, seconds: number) =>
      Array.from({ length: n }, (_, i) => [from + Math.floor((i * seconds * 1000) / n), 20]);
    await ingest(app, [
      item('steady', 200, spread(NOW - MIN, 300, 60)),
      item('fresh', 200, spread(NOW - 10_000, 300, 10)),
    ]);
    const res = await getJson<OverviewResponse>(app, `/api/v1/overview?from=${NOW - MIN}&to=${NOW}`);
    const rate = (name: string) => res.body.services.find((s) => s.service === name)?.rate;
    expect(rate('fresh')).toBeCloseTo(30, 6);
    expect(rate('steady')).toBeCloseTo(5, 6);
    expect(res.body.total.rate).toBeCloseTo(35, 6);
    // `fresh` sent its first 10 s at once, 2 s late: a first batch, whose newest second is left for its next
    // (a batch goes out within that second; counted, its first batch read low).
    expect(res.body.total.count).toBe(570);
    // The minute before: nothing of `fresh` yet, a rate of 0 rather than a division by no time.
    expect(res.body.services.find((s) => s.service === 'fresh')?.previous.rate).toBe(0);
    expect(res.body).not.toHaveProperty('since');
    // Alone, `fresh` begins inside the minute; the minute before it is all time before it existed.
    const fresh = (from: number) =>
      getJson<OverviewResponse>(app, `/api/v1/overview?service=fresh&from=${from}&to=${from + MIN}`);
    expect((await fresh(NOW - MIN)).body.since).toBe(NOW - 10_000);
    expect((await fresh(NOW - 2 * MIN)).body).toMatchObject({ since: NOW - 10_000, total: { rate: 0, p50: null } });
  });

  it('adds an all-empty total for services without data, and refuses a total that is not true or false', async () => {
    const { app } = await setup();
    const res = await getJson<RedResponse>(app, `/api/v1/red?service=none&from=${NOW - MIN}&maxPoints=2&total=true`);
    expect(res.body.series.find(isTotalSeries)!.points.map((p) => p.rate)).toEqual([0, 0]);
    // Its overview says its data begins at the window's end: the 0/s is no data (the card shows "–"), not quiet.
    const overview = await getJson<OverviewResponse>(app, `/api/v1/overview?service=none&from=${NOW - MIN}&to=${NOW}`);
    expect(overview.body).toMatchObject({ since: NOW, total: { rate: 0, count: 0 } });
    const without = await getJson<RedResponse>(app, `/api/v1/red?service=none&from=${NOW - MIN}&total=false`);
    expect(without.body.series.some(isTotalSeries)).toBe(false);
    const bad = await getJson<{ message: string }>(app, `/api/v1/red?total=yes`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^total: must be true or false/);
  });

  async function setup(now = NOW) {
    const handle = await startTestApp({}, () => now);
    close = () => handle.app.close();
    return handle;
  }
});

/** `slow`'s export of 10/s that ends half a second past `m` minutes before NOW. */
const slowMinute = (m: number) =>
  otlpDurations('slow', NOW - (m + 1) * MIN + 500, NOW - m * MIN + 500, new Array(600).fill(20));

function item(service: string, status: number, points: number[][]) {
  return {
    service,
    name: 'http.server.request.duration',
    type: 'histogram',
    attributes: { 'http.response.status_code': status },
    points,
  };
}

/** `n` durations (ms) spaced evenly in log from `lo` to `hi`, rounded to 0.1 ms. */
function spaced(n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(lo * (hi / lo) ** (i / (n - 1)) * 10) / 10);
}
