import { durationScale } from '../units.ts';

/** Byte multiples OpenTelemetry sends (UCUM), stored as bytes like the contract's memory gauge (a Map: see `durationScale`). */
const BYTES: ReadonlyMap<string, number> = new Map([
  ['By', 1],
  ['KBy', 1e3],
  ['MBy', 1e6],
  ['GBy', 1e9],
  ['KiBy', 1024],
  ['MiBy', 1024 ** 2],
  ['GiBy', 1024 ** 3],
]);

/**
 * The stored unit of a metric and the factor its values are multiplied by. Distributions (histograms and
 * summaries) of durations become ms, which is what every latency read answers in; other durations keep
 * their unit, as native ingest does, since a gauge of seconds (an uptime) is not a latency.
 */
export function storedUnit(unit: string, distribution: boolean): { unit: string; scale: number } {
  const bytes = BYTES.get(unit);
  if (bytes !== undefined) return { unit: 'By', scale: bytes };
  const duration = distribution ? durationScale(unit) : null;
  if (duration !== null) return { unit: 'ms', scale: duration };
  return { unit, scale: 1 };
}
