import { describe, expect, it } from 'vitest';
import { liveStats, type SecondStats } from '../aggregate/live-stats.ts';
import { frameOf, SecondWindow } from './second-window.ts';

describe('SecondWindow', () => {
  it('shows a service that reports every 60 s at its steady rate every second, never 0 between exports', () => {
    const window = new SecondWindow((service) => (service === 'slow' ? 60_000 : 1000));
    const start = 1_800_000_000_000;
    const rates: number[] = [];
    for (let t = start; t < start + 10 * 60_000; t += 1000) {
      // Every 60 s (at second :17) an export lands, its 40/s spread over the minute before it.
      if ((t - start) % 60_000 === 17_000) window.add(spread('slow', t - 60_000, t, 40));
      // A service with per-second data, as native items arrive.
      window.add(spread('fast', t, t + 1000, 7));
      const frame = frameOf(t, window.takePartial(t));
      expect(frame.services.fast).toMatchObject({ rate: 7, interval: 1000 });
      if (t >= start + 3 * 60_000) {
        expect(frame.services.slow, `t +${(t - start) / 1000} s`).toMatchObject({ rate: 40, interval: 60_000 });
        rates.push(frame.services.slow!.rate);
      }
    }
    expect(rates).toHaveLength(7 * 60);
  });

  it('drops per-second data that arrives after its frame went out', () => {
    const window = new SecondWindow();
    window.takePartial(5000);
    window.add(spread('late', 4000, 5000, 3));
    expect(frameOf(6000, window.takePartial(6000)).services).toEqual({});
  });
});

/** `perSecond` requests of 10 ms in every second of [from, to), as a fold's live seconds. */
function spread(service: string, from: number, to: number, perSecond: number) {
  const seconds = new Map<number, Map<string, SecondStats>>();
  for (let t = from; t < to; t += 1000) {
    const stats = liveStats(seconds, service, t);
    stats.count += perSecond;
    stats.sketch.add(10, perSecond);
  }
  return seconds;
}
