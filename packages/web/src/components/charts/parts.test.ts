import { describe, expect, it } from 'vitest';
import { formatMs, trimZeros } from '../../format.ts';
import { distinctTicks, maxOf, timeScale } from './parts.tsx';

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

describe('maxOf', () => {
  const rows = [
    { t: 0, v: 11 },
    { t: 10, v: 4 },
    { t: 20, v: 6 },
  ];
  it('scales to every bucket drawn in the window, the sliver of one that began before it too', () => {
    // Window from 5, 10 wide buckets: the first shows its last 5 and must fit the axis (it was cut at 6).
    expect(maxOf(rows, (r) => r.v, 5, 10)).toBe(11);
    // A bucket that ended at the window's start is not drawn.
    expect(maxOf(rows, (r) => r.v, 10, 10)).toBe(6);
    // Points without a width: those from the window's start on.
    expect(maxOf(rows, (r) => r.v, 5)).toBe(6);
  });
});
