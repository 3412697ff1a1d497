import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSecondTicker } from './ticker.ts';

describe('startSecondTicker', () => {
  afterEach(() => vi.useRealTimers());

  it('publishes each second once, at the tick just after it closes', () => {
    const { seconds, advance, stop } = setup({ skewMs: 0 });
    // Started at 1,000 ms: the second [1000, 2000) closes first, and goes out 15 ms (the grace) after.
    advance(1_014);
    expect(seconds).toEqual([]);
    advance(2_001);
    expect(seconds).toEqual([1_000, 2_000, 3_000]);
    stop();
  });

  it('publishes the second its timer was for when the timer fires a millisecond early by now()', () => {
    // The wall clock reads 1 ms behind the timer's clock once running: the case seen live, where a
    // second's frame then waited for the next tick.
    const { seconds, advance, stop, setSkew } = setup({ skewMs: 0 });
    setSkew(1);
    advance(1_015);
    expect(seconds).toEqual([1_000]);
    advance(1_001);
    expect(seconds).toEqual([1_000, 2_000]);
    stop();
  });
});

function setup({ skewMs }: { skewMs: number }) {
  vi.useFakeTimers({ now: 1_000 });
  let skew = skewMs;
  const seconds: number[] = [];
  const stop = startSecondTicker({ now: () => Date.now() - skew, graceMs: 15, onSecond: (t) => seconds.push(t) });
  return {
    seconds,
    stop,
    setSkew: (ms: number) => {
      skew = ms;
    },
    advance: (ms: number) => vi.advanceTimersByTime(ms),
  };
}
