import type { Alert, Silence } from '@pulseboard/shared';

/** A silence covers an alert when every field it names matches (rule, service, or both). */
export function silences(silence: Silence, alert: Pick<Alert, 'ruleId' | 'service'>, now: number): boolean {
  if (now < silence.startsAt || now >= silence.endsAt) return false;
  if (silence.ruleId !== undefined && silence.ruleId !== alert.ruleId) return false;
  if (silence.service !== undefined && silence.service !== alert.service) return false;
  return true;
}

export function isSilenced(list: readonly Silence[], alert: Pick<Alert, 'ruleId' | 'service'>, now: number): boolean {
  return list.some((s) => silences(s, alert, now));
}
