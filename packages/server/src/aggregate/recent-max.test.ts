import { describe, expect, it } from 'vitest';
import { RecentMax } from './recent-max.ts';

describe('RecentMax', () => {
  it('rises at once, holds through the next period, and falls back after two without the high value', () => {
    const max = new RecentMax(60_000, 0);
    max.note(5, 1_000);
    max.note(2, 30_000);
    expect(max.value(59_000)).toBe(5);
    max.note(1, 70_000);
    expect(max.value(119_000)).toBe(5);
    expect(max.value(120_000)).toBe(1);
    expect(max.value(240_000)).toBe(0);
  });
});
