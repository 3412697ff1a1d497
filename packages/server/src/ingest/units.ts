/** Milliseconds per unit for the duration units OpenTelemetry and native clients send. */
const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  us: 0.001,
  µs: 0.001,
  ns: 0.000_001,
  min: 60_000,
};

/** Multiplier that turns a duration unit into milliseconds, or null when the unit is not a duration. */
export function durationScale(unit: string): number | null {
  return MS_PER_UNIT[unit] ?? null;
}
