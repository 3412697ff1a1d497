/**
 * Milliseconds per unit for the duration units OpenTelemetry (UCUM) and native clients send. A Map: a unit is
 * the sender's text, and in a plain object `constructor` found Object's own (a function as the scale).
 */
const MS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['s', 1_000],
  ['us', 0.001],
  ['µs', 0.001],
  ['ns', 0.000_001],
  ['min', 60_000],
  // Hours and days: a histogram in `h` was stored as if in ms (2 h read as 2 ms).
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

/** Multiplier that turns a duration unit into milliseconds, or null when the unit is not a duration. */
export function durationScale(unit: string): number | null {
  return MS_PER_UNIT.get(unit) ?? null;
}
