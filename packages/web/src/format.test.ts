import { describe, expect, it } from 'vitest';
import { formatBytes, formatChange, formatCount, formatMs, formatPercent, formatRate, trimZeros } from './format.ts';

describe('formatting', () => {
  it('shows no data as a dash', () => {
    for (const f of [formatRate, formatMs, formatPercent, formatBytes, formatCount]) expect(f(null)).toBe('–');
  });

  it('keeps three significant-ish digits', () => {
    expect(formatRate(202.4)).toBe('202/s');
    expect(formatRate(5.2667)).toBe('5.27/s');
    expect(formatMs(32.49)).toBe('32.5 ms');
    expect(formatMs(1520)).toBe('1.52 s');
    expect(formatPercent(0.00583)).toBe('0.58%');
    expect(formatBytes(3_936_191_851)).toBe('3.67 GB');
    expect(formatCount(23_390)).toBe('23.4k');
  });

  it('describes the change against the previous window', () => {
    expect(formatChange(110, 100)).toEqual({ direction: 'up', text: '+10%' });
    expect(formatChange(95, 100)).toEqual({ direction: 'down', text: '−5.0%' });
    expect(formatChange(100, 100)).toEqual({ direction: 'flat', text: '0%' });
    expect(formatChange(5, 0)).toBeNull();
    expect(formatChange(null, 3)).toBeNull();
  });

  it('drops the zeros of round axis numbers', () => {
    expect(trimZeros('0.50%')).toBe('0.5%');
    expect(trimZeros('1.00 s')).toBe('1 s');
    expect(trimZeros('0.00/s')).toBe('0/s');
    expect(trimZeros('100 ms')).toBe('100 ms');
    expect(trimZeros('2.05 GB')).toBe('2.05 GB');
  });
});
