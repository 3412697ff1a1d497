import { describe, expect, it } from 'vitest';
import { storedUnit } from './otlp/units.ts';
import { durationScale } from './units.ts';

describe('units', () => {
  it('turns every duration unit clients send into milliseconds, hours and days too', () => {
    expect(['ns', 'us', 'µs', 'ms', 's', 'min', 'h', 'd'].map(durationScale)).toEqual([
      0.000_001, 0.001, 0.001, 1, 1_000, 60_000, 3_600_000, 86_400_000,
    ]);
    expect(durationScale('By')).toBeNull();
  });

  it("takes a unit named like an object's own property for what it is: not a duration, not bytes", () => {
    for (const unit of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(durationScale(unit)).toBeNull();
      expect(storedUnit(unit, true)).toEqual({ unit, scale: 1 });
    }
    expect(storedUnit('h', true)).toEqual({ unit: 'ms', scale: 3_600_000 });
    expect(storedUnit('KiBy', false)).toEqual({ unit: 'By', scale: 1024 });
  });
});
