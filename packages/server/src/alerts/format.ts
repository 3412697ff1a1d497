import { parseSignal } from '@pulseboard/shared';
import type { SignalFormat } from './detectors/types.ts';

/** 90_000 -> "1m30s", 7_200_000 -> "2h", 0 -> "0s": the rule format's own units, for reasons. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  // Two units are plenty to read ("1h5m", not "1h5m12s").
  return parts.slice(0, 2).join('');
}

/** Three significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

const percent = (fraction: number) => `${formatNumber(fraction * 100)}%`;

const RED_FORMATS: Record<string, SignalFormat> = {
  rate: { label: 'traffic', format: (v) => `${formatNumber(v)} req/s` },
  errorRate: { label: 'error rate', format: percent },
  p50: { label: 'p50', format: (v) => `${formatNumber(v)} ms` },
  p95: { label: 'p95', format: (v) => `${formatNumber(v)} ms` },
  p99: { label: 'p99', format: (v) => `${formatNumber(v)} ms` },
};

/** How a reason names a signal and prints its values. */
export function signalFormat(signal: string): SignalFormat {
  const parsed = parseSignal(signal);
  if (!parsed) return { label: signal, format: formatNumber };
  if (parsed.kind === 'red') return RED_FORMATS[parsed.name]!;
  // Utilisations are fractions 0..1 by convention; people read them as percentages.
  const isUtilisation = parsed.metric.endsWith('.utilization') && parsed.stat !== 'rate' && parsed.stat !== 'count';
  return { label: `${parsed.metric} ${parsed.stat}`, format: isUtilisation ? percent : formatNumber };
}
