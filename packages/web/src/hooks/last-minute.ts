import { MINUTE, type OverviewResponse } from '@pulseboard/shared';

/**
 * The end of the minute to show instead of a minute's overview in which some service still reporting has sent
 * nothing yet (its `until` at or before `from`): the minute holding the last of what every service has sent.
 * Null when every service has sent some of the minute.
 */
export function lastSentMinuteEnd(minute: Pick<OverviewResponse, 'from' | 'until'>): number | null {
  if (minute.until === undefined || minute.until > minute.from) return null;
  return Math.ceil(minute.until / MINUTE) * MINUTE;
}
