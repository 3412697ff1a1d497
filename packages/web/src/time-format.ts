/**
 * The page's one time format, local time, 24-hour: `08:05` or `08:05:07` for a moment of today's scale,
 * `Dec 3` for a day, `Dec 3 08:05:07` for a full timestamp (the year only when it is not this year's).
 * Month names are fixed English, not the browser's locale, so axes, tooltips, alerts and the range picker
 * read alike (a locale would bring AM/PM into some of them and not others).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

/** `08:05`, or `08:05:07` with seconds. */
export function formatClock(t: number, seconds = false): string {
  const d = new Date(t);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** `Dec 3`, or `Dec 3 2025` outside the current year (`now` says which year that is). */
export function formatDay(t: number, now = Date.now()): string {
  const d = new Date(t);
  const day = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  return d.getFullYear() === new Date(now).getFullYear() ? day : `${day} ${d.getFullYear()}`;
}

/** `Dec 3 08:05:07`: tooltips, alerts, the range. */
export function formatDateTime(t: number, now = Date.now()): string {
  return `${formatDay(t, now)} ${formatClock(t, true)}`;
}

const DATE_TIME = /^([A-Za-z]{3})\s+(\d{1,2})(?:,?\s+(\d{4}))?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Reads what `formatDateTime` writes (seconds optional), so a range can be typed in the format the page shows;
 * the year defaults to `now`'s. Null when the text is not such a time or names a day that does not exist.
 */
export function parseDateTime(text: string, now = Date.now()): number | null {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return null;
  const [, monthText = '', dayText = '', yearText, hourText = '', minuteText = '', secondText] = match;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === monthText.toLowerCase());
  const year = yearText ? Number(yearText) : new Date(now).getFullYear();
  const [day, hour, minute, second] = [dayText, hourText, minuteText, secondText ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (month < 0 || hour > 23 || minute > 59 || second > 59) return null;
  const d = new Date(year, month, day, hour, minute, second);
  // `Date` rolls Feb 30 over into March: refuse it instead.
  return d.getMonth() === month && d.getDate() === day ? d.getTime() : null;
}
