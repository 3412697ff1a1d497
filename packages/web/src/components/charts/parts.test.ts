import { describe, expect, it } from 'vitest';
import { timeScale } from './parts.tsx';

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
