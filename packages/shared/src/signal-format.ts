import { parseSignal } from './alert-rules.ts';

/**
 * How a rule's signal is named and its values printed, shared by the server (alert reasons) and the page
 * (alert values, rules, the rule form), so a value reads the same wherever it appears.
 */
export interface SignalFormat {
  label: string;
  format: (value: number) => string;
  /** What a threshold is typed in: `ms`, `req/s`, `fraction` (0..1, shown as a percentage) or `` (the metric's own). */
  unit: 'ms' | 'req/s' | 'fraction' | '';
}

/** Three significant digits, without exponent notation for everyday magnitudes. */
export function formatNumber(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(3)));
}

const percent = (fraction: number) => `${formatNumber(fraction * 100)}%`;
const ms = (v: number) => `${formatNumber(v)} ms`;

const RED_FORMATS: Record<string, SignalFormat> = {
  rate: { label: 'traffic', format: (v) => `${formatNumber(v)} req/s`, unit: 'req/s' },
  errorRate: { label: 'error rate', format: percent, unit: 'fraction' },
  p50: { label: 'p50', format: ms, unit: 'ms' },
  p95: { label: 'p95', format: ms, unit: 'ms' },
  p99: { label: 'p99', format: ms, unit: 'ms' },
};

export function signalFormat(signal: string): SignalFormat {
  const parsed = parseSignal(signal);
  if (!parsed) return { label: signal, format: formatNumber, unit: '' };
  if (parsed.kind === 'red') return RED_FORMATS[parsed.name] as SignalFormat;
  // Utilisations are fractions 0..1 by convention; people read them as percentages.
  const isUtilisation = parsed.metric.endsWith('.utilization') && parsed.stat !== 'rate' && parsed.stat !== 'count';
  const label = `${parsed.metric} ${parsed.stat}`;
  return isUtilisation ? { label, format: percent, unit: 'fraction' } : { label, format: formatNumber, unit: '' };
}
