import { describe, expect, it } from 'vitest';
import { formatClock, formatDateTime, formatDay, parseDateTime } from './time-format.ts';

const now = new Date(2026, 11, 3, 12, 0, 0).getTime();
const t = new Date(2026, 10, 28, 9, 5, 7).getTime();

describe('time format', () => {
  it('writes one 24-hour format everywhere', () => {
    expect(formatClock(t)).toBe('09:05');
    expect(formatClock(t, true)).toBe('09:05:07');
    expect(formatDay(t, now)).toBe('Nov 28');
    expect(formatDateTime(t, now)).toBe('Nov 28 09:05:07');
    expect(formatDateTime(new Date(2025, 0, 2, 23, 59, 1).getTime(), now)).toBe('Jan 2 2025 23:59:01');
  });

  it('reads back what it writes', () => {
    expect(parseDateTime(formatDateTime(t, now), now)).toBe(t);
    const lastYear = new Date(2025, 0, 2, 23, 59, 1).getTime();
    expect(parseDateTime(formatDateTime(lastYear, now), now)).toBe(lastYear);
    expect(parseDateTime('nov 28 09:05', now)).toBe(new Date(2026, 10, 28, 9, 5).getTime());
  });

  it('refuses what is not a time', () => {
    for (const text of ['', 'yesterday', 'Feb 30 10:00', 'Dec 3 24:00', 'Foo 3 10:00', 'Dec 3 10:61']) {
      expect(parseDateTime(text, now), text).toBeNull();
    }
  });
});
