import { afterEach, describe, expect, it } from 'vitest';
import { otlpMinute } from '../testing/otlp-export.ts';
import { ingest, startTestApp } from '../testing/test-app.ts';
import { storeSignalSource } from './store-signals.ts';

const MIN = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);

describe('alert signals of a service that reports every 60 s', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  /** 600 requests a minute (10/s) exported at the end of each of 5 minutes; `at(ms)`: the clock that long after. */
  async function setup({ restart = false } = {}) {
    let now = T0;
    let { app, config } = await startTestApp({}, () => now);
    close = () => app.close();
    for (let m = 0; m < 5; m++) {
      now = T0 + (m + 1) * MIN + 100;
      const res = await app.inject({
        method: 'POST',
        url: '/v1/metrics',
        headers: { 'content-type': 'application/json' },
        payload: otlpMinute('every-minute', T0 + m * MIN, T0 + (m + 1) * MIN),
      });
      expect(res.statusCode).toBe(200);
    }
    if (restart) {
      await app.close();
      ({ app } = await startTestApp({ db: config.db }, () => now));
    }
    const at = (ms: number) => (now = T0 + 5 * MIN + ms);
    return { at, source: storeSignalSource(app.core.query) };
  }

  it('read its steady rate over the last minute it has sent', async () => {
    const { at, source } = await setup();
    // 40 s after its last export: the minute up to now holds 20 s of data, which read as a minute is 3.3/s.
    const now = at(40_000);
    expect((await source.window('every-minute', 'rate', now - MIN, now, true)).value).toBeCloseTo(10, 6);
  });

  it('read its steady rate over the last minute it has sent after a server restart, before its next export', async () => {
    const { at, source } = await setup({ restart: true });
    // Before the end of its newest report was kept, this read 3.3/s: a traffic drop for the anomaly rule.
    const now = at(40_000);
    expect((await source.window('every-minute', 'rate', now - MIN, now, true)).value).toBeCloseTo(10, 6);
  });

  it('are not silent while the next export is on its way, and are once it is an interval late', async () => {
    const { at, source } = await setup();
    const count = async (since: number) =>
      (await source.window('every-minute', 'rate', at(since) - MIN, at(since), false)).count;
    // 61 s after the last export the minute up to now is empty, but the next export is due any moment.
    expect(await count(61_000)).toBeGreaterThan(0);
    expect(await count(60_000 + 62_000 - 1000)).toBeGreaterThan(0);
    expect(await count(60_000 + 62_000 + 1000)).toBe(0);
    // Its rate is over the time it has sent, not the time since.
    expect((await source.window('every-minute', 'rate', at(30_000) - MIN, at(30_000), false)).value).toBeCloseTo(10, 6);
  });
});

describe('alert signals of a service that started within the window', () => {
  it('read its rate over the time since its first request: a new service is not a traffic drop', async () => {
    const now = T0;
    const { app } = await startTestApp({}, () => now);
    try {
      // 5/s for the last 10 s of the minute: over the whole minute that read as 0.83/s.
      const points = Array.from({ length: 50 }, (_, i) => [T0 - 10_000 + i * 200, 20]);
      await ingest(app, [
        { service: 'fresh', name: 'http.server.request.duration', type: 'histogram', unit: 'ms', points },
      ]);
      const source = storeSignalSource(app.core.query);
      expect((await source.window('fresh', 'rate', T0 - MIN, T0, false)).value).toBeCloseTo(5, 6);
      expect((await source.window('fresh', 'rate', T0 - MIN, T0, true)).value).toBeCloseTo(5, 6);
    } finally {
      await app.close();
    }
  });
});
