import { formatClock, formatDay } from '../../time-format.ts';

/**
 * Axis ticks people read at a glance: values at 1, 2 or 5 x 10^n, times on round seconds, minutes, hours or
 * days. Time ticks sit at fixed moments (multiples of their interval in local time), so as a live window
 * slides they move with the data instead of being re-chosen on every refresh.
 */

/** The smallest of 1, 2, 5 x 10^n at or above `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  // 1.0000000001 (float noise from the division) still counts as 1.
  const nice = fraction <= 1 + 1e-9 ? 1 : fraction <= 2 + 1e-9 ? 2 : fraction <= 5 + 1e-9 ? 5 : 10;
  return nice * power;
}

/**
 * Ticks from 0 (or below it, for negative data) up to the first nice tick at or above `max`, about `count`
 * steps; the axis domain spans the first to the last tick. `floor` is the least top (0.01 keeps an all-zero
 * error-rate chart from inventing a scale).
 */
export function valueTicks(max: number, count = 4, floor = 0, min = 0): number[] {
  const top = Math.max(max, floor);
  const bottom = Math.min(0, min);
  if (!Number.isFinite(top) || !Number.isFinite(bottom) || !(top > bottom)) return [0, 1];
  const step = niceStep((top - bottom) / count);
  // Rounded to the step's decimals: 0.1 + 0.2 style noise would print as 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const ticks: number[] = [];
  for (
    let i = Math.floor(bottom / step + 1e-9);
    ticks.length === 0 || (ticks.at(-1) as number) < top - step * 1e-9;
    i++
  ) {
    ticks.push(Number((i * step).toFixed(decimals)));
  }
  return ticks;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick intervals, shortest first; each divides the next larger unit evenly, so ticks land on round times. */
const INTERVALS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

/**
 * The shortest round interval that gives at most `maxTicks` ticks over `span` ms. Whole intervals count: a
 * window the server widened by a few seconds at its edge keeps the ticks of the span asked for.
 */
export function tickInterval(span: number, maxTicks: number): number {
  return INTERVALS.find((i) => Math.floor(span / i) <= Math.max(1, maxTicks)) ?? (INTERVALS.at(-1) as number);
}

/** Local midnight at or after `t`. */
function nextMidnight(t: number): number {
  const d = new Date(t);
  const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return midnight === t ? t : new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** Round moments in [from, to] every `interval` ms, in local time (hours and days follow the local clock). */
export function timeTicks(from: number, to: number, interval: number): number[] {
  const ticks: number[] = [];
  if (interval >= DAY) {
    // Days step by the calendar (a DST day is 23 or 25 hours); whole weeks start on Mondays.
    const days = interval / DAY;
    let t = nextMidnight(from);
    while (days === 7 && new Date(t).getDay() !== 1) t = nextMidnight(t + 1);
    for (; t <= to; ) {
      ticks.push(t);
      const d = new Date(t);
      t = new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
    }
    return ticks;
  }
  // The offset from UTC, so hour ticks are round on the local clock (zones such as +05:30 included).
  const offset = -new Date(from).getTimezoneOffset() * MINUTE;
  for (let t = Math.ceil((from + offset) / interval) * interval - offset; t <= to; t += interval) ticks.push(t);
  return ticks;
}

/** A tick's label: seconds when the ticks are seconds apart, the day at midnight or when ticks are days apart. */
export function formatTick(t: number, interval: number): string {
  const d = new Date(t);
  if (interval >= DAY || (d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0)) return formatDay(t);
  return formatClock(t, interval < MINUTE);
}
