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

const pad = (n: number) => String(n).padStart(2, '0');

/** Axis and tooltip time: seconds for short spans, dates for long ones. Local time. */
export function formatTime(t: number, spanMs: number): string {
  const d = new Date(t);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (spanMs <= 15 * 60_000) return `${hm}:${pad(d.getSeconds())}`;
  if (spanMs <= 24 * 3_600_000) return hm;
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${hm}`;
}

/** A full timestamp for tooltips and ranges. */
export function formatDateTime(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `datetime-local` input value for an epoch ms (local time). */
export function toLocalInput(t: number): string {
  return formatDateTime(t).replace(' ', 'T');
}
