import { MINUTE, type OverviewResponse } from '@pulseboard/shared';

type Minute = Pick<OverviewResponse, 'from' | 'to' | 'until' | 'since'>;

/**
 * The window the "last min" cards show instead of the last complete minute, or null to keep it:
 * - some service still reporting has sent nothing of the minute yet (its `until` at or before `from`): the
 *   minute holding the last of what every service has sent;
 * - every selected service began after it (a service seconds old): the seconds of the current minute up to
 *   `liveTo`, over which the server takes its rate from its first second. The cards read "–" for up to a
 *   minute while the charts beside them showed its traffic.
 */
export function lastMinuteInstead(minute: Minute, liveTo: number): { from: number; to: number } | null {
  if (minute.until !== undefined && minute.until <= minute.from) {
    const to = Math.ceil(minute.until / MINUTE) * MINUTE;
    return { from: to - MINUTE, to };
  }
  if (minute.since !== undefined && minute.since >= minute.to && minute.since < liveTo) {
    return { from: minute.to, to: liveTo };
  }
  return null;
}
