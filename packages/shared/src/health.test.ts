import { describe, expect, it } from 'vitest';
import { againstTarget } from './health.ts';

describe('againstTarget', () => {
  it('is 1 within the target and falls linearly to 0 at 5x it', () => {
    expect(againstTarget(0.005, 0.01)).toBe(1);
    expect(againstTarget(0.01, 0.01)).toBe(1);
    expect(againstTarget(0.03, 0.01)).toBeCloseTo(0.5);
    expect(againstTarget(0.05, 0.01)).toBe(0);
    expect(againstTarget(1, 0.01)).toBe(0);
  });
});
