/** Display formatting: one place, so every view shows a value the same way. `null` is "no data": an en dash. */

const NONE = '–';

function fixed(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toFixed(digits);
}

export const formatRate = (v: number | null) => (v === null ? NONE : `${fixed(v)}/s`);

export function formatMs(v: number | null): string {
  if (v === null) return NONE;
  return v >= 1000 ? `${fixed(v / 1000)} s` : `${fixed(v)} ms`;
}

/** A fraction 0..1 as a percentage. */
export const formatPercent = (v: number | null) => (v === null ? NONE : `${fixed(v * 100)}%`);

export function formatBytes(v: number | null): string {
  if (v === null) return NONE;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = v;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${fixed(value)} ${units[unit]}`;
}

/** Large counts stay readable: 1234 -> 1.23k. */
export function formatCount(v: number | null): string {
  if (v === null) return NONE;
  if (Math.abs(v) >= 1e6) return `${fixed(v / 1e6)}M`;
  if (Math.abs(v) >= 1e3) return `${fixed(v / 1e3)}k`;
  return String(Math.round(v));
}

export interface Change {
  direction: 'up' | 'down' | 'flat';
  text: string;
}

/** Change against the previous window; null when either side has no data or the previous is zero. */
export function formatChange(current: number | null, previous: number | null): Change | null {
  if (current === null || previous === null || previous === 0) return null;
  const ratio = (current - previous) / Math.abs(previous);
  if (Math.abs(ratio) < 0.005) return { direction: 'flat', text: '0%' };
  const pct = Math.abs(ratio * 100);
  const text = `${ratio > 0 ? '+' : '−'}${pct >= 10 ? pct.toFixed(0) : pct.toFixed(1)}%`;
  return { direction: ratio > 0 ? 'up' : 'down', text };
}

/** `0.50%` -> `0.5%`, `1.00 s` -> `1 s`: axis ticks are round numbers, their zeros say nothing. */
export const trimZeros = (text: string) =>
  text.replace(/\.(\d*?)0+(?!\d)/g, (_, digits: string) => (digits ? `.${digits}` : ''));
