import { afterEach, describe, expect, it } from 'vitest';
import { otlpMinute } from '../testing/otlp-export.ts';
import { startTestApp } from '../testing/test-app.ts';
import { storeSignalSource } from './store-signals.ts';

const MIN = 60_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);

describe('alert signals of a service that reports every 60 s', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('read its steady rate over the last minute it has sent, and absent rules the time up to now', async () => {
    let now = T0;
    const { app } = await startTestApp({}, () => now);
    close = () => app.close();
    // 600 requests a minute (10/s), exported at the end of each minute; evaluated 40 s after the last export.
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
    now = T0 + 5 * MIN + 40_000;
    const source = storeSignalSource(app.core.query);
    const window = (reported: boolean) => source.window('every-minute', 'rate', now - MIN, now, reported);
    expect(window(true).value).toBeCloseTo(10, 6);
    // The minute up to now holds the 20 s it has sent: read as a whole minute, a third of the rate.
    expect(window(false).value).toBeCloseTo(10 / 3, 6);
  });
});
