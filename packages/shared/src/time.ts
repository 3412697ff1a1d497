/** Time parameters and durations shared by the server and the page. All times are epoch milliseconds. */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

const RELATIVE = /^now(?:-(\d{1,9})([smhdw]))?$/;
const DURATION = /^(\d{1,9})([smhd])$/;

/** `1735000000000`, `now` or `now-15m` -> epoch ms, or `null` when the text is none of these. */
export function parseTimeParam(text: string, now: number): number | null {
  const relative = RELATIVE.exec(text);
  if (relative) {
    const [, amount, unit] = relative;
    return amount && unit ? now - Number(amount) * UNIT_MS[unit as Unit] : now;
  }
  if (!/^\d{1,16}$/.test(text)) return null;
  const t = Number(text);
  // Past the last time a Date can hold (year 275760), digits are no instant.
  return t <= MAX_DATE_MS ? t : null;
}

/** The latest epoch milliseconds a JavaScript Date holds. */
const MAX_DATE_MS = 8_640_000_000_000_000;

/** `30s`, `5m`, `1h`, `2d` -> ms, or `null` when not a duration (weeks are not a rule unit). */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match) return null;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as Unit];
}

export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The start of the `step`-aligned bucket holding `t` (buckets are aligned to multiples of their step). */
export const floorTo = (t: number, step: number) => Math.floor(t / step) * step;

/** Number of `step`-aligned buckets that touch [from, to): the points a range read returns at most. */
export function bucketCount(from: number, to: number, step: number): number {
  return Math.floor((to - 1) / step) - Math.floor(from / step) + 1;
}
