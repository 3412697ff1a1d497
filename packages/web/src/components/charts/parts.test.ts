import { describe, expect, it } from 'vitest';
import { formatMs, trimZeros } from '../../format.ts';
import { distinctTicks, timeScale } from './parts.tsx';

describe('timeScale', () => {
  it('leaves out a tick whose label would run off the right end of the plot', () => {
    // 5 minutes ending 2 s after a round minute, 600 px wide: that minute's label sat half outside ("02:4").
    const minute = Date.UTC(2026, 11, 6, 2, 44);
    const window = { from: minute + 2000 - 5 * 60_000, to: minute + 2000 };
    const { ticks, format } = timeScale(window, 600);
    expect(ticks).not.toContain(minute);
    expect(ticks).toContain(minute - 60_000);
    // Further from the end (20 s) it fits, and stays.
    const later = timeScale({ from: window.from + 18_000, to: window.to + 18_000 }, 600);
    expect(later.ticks).toContain(minute);
    expect(format(minute)).toMatch(/^\d\d:\d\d$/);
  });
});

describe('distinctTicks', () => {
  it('takes fewer ticks when the format would print two alike', () => {
    const label = (v: number) => trimZeros(formatMs(v));
    // Latencies up to 0.02 ms: steps of 0.005 ms printed "0", "0.01", "0.01", "0.01", "0.02".
    const ticks = distinctTicks(label, 0.018);
    expect(ticks.map(label)).toEqual(['0 ms', '0.01 ms', '0.02 ms']);
    // Where the format tells them apart, the usual four steps.
    expect(distinctTicks(label, 180)).toEqual([0, 50, 100, 150, 200]);
  });
});
