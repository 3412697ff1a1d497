import { describe, expect, it } from 'vitest';
import { FailureThrottle } from './throttle.ts';

describe('FailureThrottle', () => {
  it('blocks an address after maxFailures within the window, for blockMs', () => {
    const throttle = new FailureThrottle({ maxFailures: 3, windowMs: 10_000, blockMs: 5_000, maxAddresses: 10 });
    expect(throttle.fail('a', 0)).toBe(false);
    expect(throttle.fail('a', 1_000)).toBe(false);
    expect(throttle.fail('a', 2_000)).toBe(true);
    expect(throttle.retryAfter('a', 2_000)).toBe(5);
    expect(throttle.retryAfter('a', 6_500)).toBe(1);
    expect(throttle.retryAfter('a', 7_000)).toBe(0);
    expect(throttle.retryAfter('b', 2_000)).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const throttle = new FailureThrottle({ maxFailures: 2, windowMs: 10_000, blockMs: 5_000, maxAddresses: 10 });
    throttle.fail('a', 0);
    expect(throttle.fail('a', 10_000)).toBe(false);
    expect(throttle.fail('a', 11_000)).toBe(true);
  });

  it('tracks at most maxAddresses, forgetting the oldest', () => {
    const throttle = new FailureThrottle({ maxFailures: 2, windowMs: 10_000, blockMs: 5_000, maxAddresses: 100 });
    for (let i = 0; i < 1_000; i++) throttle.fail(`10.0.${i >> 8}.${i & 255}`, i);
    expect(throttle.size).toBe(100);
    // The newest addresses are still counted: one more failure blocks the last one.
    expect(throttle.fail('10.0.3.231', 1_000)).toBe(true);
  });
});
