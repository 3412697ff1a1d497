import { describe, expect, it } from 'vitest';
import { adjustedCount } from './sampling.ts';

describe('adjustedCount', () => {
  it('is the inverse of the sampling probability the threshold encodes', () => {
    expect(adjustedCount('ot=th:0')).toBe(1);
    expect(adjustedCount('ot=th:8')).toBe(2); // T = 2^55: half kept
    expect(adjustedCount('ot=th:c')).toBe(4); // 75 % rejected
    expect(adjustedCount('ot=th:e')).toBe(8);
    expect(adjustedCount('ot=th:fd70a4')).toBeCloseTo(100, 2); // the spec's 1 % example
  });

  it('stays finite at the highest thresholds, past the 53 bits of a float (one span once crashed the server)', () => {
    expect(adjustedCount('ot=th:ffffffffffffff')).toBe(2 ** 56); // one span in 2^56 kept
    expect(adjustedCount('ot=th:fffffffffffffe')).toBe(2 ** 55);
    expect(adjustedCount('ot=th:fffffffffffffc')).toBe(2 ** 54);
  });

  it('reads the ot member among others, with other ot sub-keys and whitespace', () => {
    expect(adjustedCount('vendor=abc, ot=rv:0123456789abcd;th:c ,other=1')).toBe(4);
    expect(adjustedCount('ot=th:c;rv:0123456789abcd')).toBe(4);
  });

  it('is null (unknown: counted as received) without a threshold or with a malformed one', () => {
    expect(adjustedCount('')).toBeNull();
    expect(adjustedCount('vendor=abc')).toBeNull();
    expect(adjustedCount('ot=rv:0123456789abcd')).toBeNull();
    expect(adjustedCount('ot=th:')).toBeNull();
    expect(adjustedCount('ot=th:C')).toBeNull();
    expect(adjustedCount('ot=th:123456789abcdef')).toBeNull(); // 15 digits
    expect(adjustedCount('ot=th:xyz')).toBeNull();
  });
});
