import type { TotalRow } from './charts/red-rows.ts';

/**
 * The stat cards' arithmetic, pure: which buckets belong to the shown window and which to the one before it,
 * how much of each has data, a rate over the time with data, and whether the two windows compare.
 */

/** The cards load both windows at once: [from - span, to). */
export function splitWindows(rows: readonly TotalRow[], to: number, span: number) {
  const from = to - span;
  return { previous: rows.filter((r) => r.t < from), current: rows.filter((r) => r.t >= from) };
}

/**
 * Share (0..1) of a window's time that had requests, of the time sent so far: time without data (before a
 * service existed, or while none sent) is not counted as quiet time.
 */
export function coverage(rows: readonly TotalRow[]): number {
  let covered = 0;
  let total = 0;
  for (const row of rows) {
    total += row.span;
    if (row.count > 0) covered += row.seconds;
  }
  return total > 0 ? covered / total : 0;
}

/**
 * Requests per second over the time that had data (null when none had): seven days holding one day of
 * traffic read as that day's rate, not as a seventh of it. Each bucket weighs by its seconds: its rate adds up
 * the services' rates over the time each one's data covers (see `totalRows`), which its count over its seconds
 * would not where a service has not yet sent the bucket's last seconds.
 */
export function rateOverData(rows: readonly TotalRow[]): number | null {
  let requests = 0;
  let seconds = 0;
  for (const row of rows) {
    if (row.count === 0) continue;
    requests += row.rate * row.seconds;
    seconds += row.seconds;
  }
  return seconds > 0 ? requests / seconds : null;
}

/** Below this share of the other window's coverage, a change would compare unlike things. */
const COMPARABLE = 0.8;

/** Whether a change between the windows means something: both have data, covering similar shares of them. */
export function comparable(current: number, previous: number): boolean {
  if (current <= 0 || previous <= 0) return false;
  return Math.min(current, previous) / Math.max(current, previous) >= COMPARABLE;
}
