import { describe, expect, it } from 'vitest';
import { serviceColour } from './palette.ts';

describe('service colours', () => {
  it('come from the name alone', () => {
    expect(serviceColour('checkout')).toBe(serviceColour('checkout'));
    expect(serviceColour('checkout')).toMatch(/^#[0-9A-F]{6}$/);
  });

  it('spread similar names apart', () => {
    const names = ['svc-1', 'svc-2', 'svc-3', 'svc-4'];
    expect(new Set(names.map(serviceColour)).size).toBeGreaterThan(2);
  });
});
