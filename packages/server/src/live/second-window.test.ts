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

  it('shows a service named like an object property (`__proto__`, `constructor`) as any other, in the frame sent', () => {
    const window = new SecondWindow(() => 1000);
    const t = 1_800_000_000_000;
    for (const service of ['__proto__', 'constructor', 'shop']) window.add(spread(service, t, t + 1000, 3));
    const frame = frameOf(t, window.takePartial(t));
    const sent = JSON.parse(JSON.stringify(frame.services)) as Record<string, { rate: number }>;
    expect(Object.keys(sent).sort()).toEqual(['__proto__', 'constructor', 'shop']);
    expect(Object.values(sent).map((s) => s.rate)).toEqual([3, 3, 3]);
  });

  it('shows a new service that reports every 60 s at its real rate from its first export, not climbing from 0', () => {
    // The service's process starts at `begin` and exports 100/s every 60 s from then on, at :00.4.
    const begin = 1_800_000_000_000;
    const window = new SecondWindow(
      () => 60_000,
      () => begin,
    );
    const rates: number[] = [];
    for (let t = begin; t < begin + 5 * 60_000; t += 1000) {
      if (t > begin && (t - begin) % 60_000 === 0) window.add(spread('new', t - 60_000, t, 100));
      const rate = frameOf(t, window.takePartial(t)).services.new?.rate;
      if (rate !== undefined) rates.push(rate);
    }
    // Shown from the second its first export arrived in, at 100/s every second since (the first two over its
    // first second, before its window reaches its data).
    expect(rates).toHaveLength(5 * 60 - 60);
    expect(new Set(rates)).toEqual(new Set([100]));
  });

  it('shows a service whose per-second data arrives after its frame went out at its newest complete second', () => {
    // A sender posting each second once it closes lands just after the ticker: such frames used to be empty.
    const window = new SecondWindow();
    window.takePartial(5000);
    window.add(spread('late', 5000, 6000, 3)); // second 5 arrives after its frame: shown by the next one
    expect(frameOf(6000, window.takePartial(6000)).services.late).toMatchObject({ rate: 3, interval: 1000 });
    window.add(spread('late', 6000, 7000, 4));
    expect(frameOf(7000, window.takePartial(7000)).services.late).toMatchObject({ rate: 4, interval: 1000 });
    window.add(spread('late', 7000, 8000, 5));
    expect(frameOf(8000, window.takePartial(8000)).services.late).toMatchObject({ rate: 5, interval: 1000 });
  });

  it('shows a service whose spans come in 5 s batches at its full rate every second, never a partial second', () => {
    const window = new SecondWindow();
    const start = 1_800_000_000_000;
    const rates: number[] = [];
    for (let t = start; t < start + 5 * 60_000; t += 1000) {
      // Every 5 s an SDK's batch lands with the 5 seconds that closed before it, 10 requests a second.
      if ((t - start) % 5000 === 0) window.add(spread('traced', t - 5000, t, 10));
      const rate = frameOf(t, window.takePartial(t)).services.traced?.rate;
      if (t >= start + 10_000) rates.push(rate ?? 0);
    }
    expect(new Set(rates)).toEqual(new Set([10]));
  });

  it('shows a service read as sending every 6 s (its 5 s batches arrive up to 6 s late) at its full rate', () => {
    // How the server reads an SDK's span batches once it has seen two (`ReportIntervals.of`).
    const window = new SecondWindow(() => 6000);
    const start = 1_800_000_000_000;
    const rates: number[] = [];
    for (let t = start; t < start + 5 * 60_000; t += 1000) {
      // Every 5 s a batch lands with the spans that ended since the last one, 10 a second.
      if ((t - start) % 5000 === 0) window.add(spread('traced', t - 5000, t, 10));
      const rate = frameOf(t, window.takePartial(t)).services.traced?.rate;
      if (t >= start + 15_000) rates.push(rate ?? 0);
    }
    expect(new Set(rates)).toEqual(new Set([10]));
  });

  it('returns a service to real time once it has been on time for two minutes', () => {
    const window = new SecondWindow();
    const start = 1_800_000_000_000;
    window.takePartial(start);
    window.add(spread('svc', start - 3000, start, 2)); // three seconds late, once
    let frame = frameOf(start + 1000, window.takePartial(start + 1000));
    for (let t = start + 1000; t < start + 4 * 60_000; t += 1000) {
      window.add(spread('svc', t, t + 1000, 6)); // on time from now on
      frame = frameOf(t, window.takePartial(t));
    }
    expect(frame.services.svc).toMatchObject({ rate: 6, interval: 1000 });
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
