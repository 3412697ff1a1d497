import type { Alert } from '@pulseboard/shared';
import { spanText } from '../../state/view.ts';

/** Pure rules of the alert panel: order, what stays shown, time since, and the service view around an alert. */

export const PANEL_LIMIT = 20;
const SEVERITY_ORDER: Record<Alert['severity'], number> = { critical: 0, warning: 1, info: 2 };
const STATE_ORDER: Record<Alert['state'], number> = { firing: 0, pending: 1, resolved: 2 };

/** A resolved episode that never fired (pending that cleared) is noise: it is not shown. */
export const isShown = (alert: Alert) => alert.state !== 'resolved' || alert.firedAt !== undefined;

/** Firing first by severity, then pending by severity, then resolved; newest first within each. */
export function orderAlerts(alerts: readonly Alert[], limit = PANEL_LIMIT): Alert[] {
  const latest = (a: Alert) => (a.state === 'resolved' ? (a.resolvedAt ?? a.startedAt) : (a.firedAt ?? a.startedAt));
  return alerts
    .filter(isShown)
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        (a.state === 'resolved' ? 0 : SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]) ||
        latest(b) - latest(a) ||
        a.id.localeCompare(b.id),
    )
    .slice(0, limit);
}

/** The alerts of the shown services (null: every service). */
export const ofServices = (alerts: readonly Alert[], services: readonly string[] | null): Alert[] =>
  services ? alerts.filter((a) => services.includes(a.service)) : [...alerts];

/** Open (firing) alerts of the shown services, for the "Active alerts" card; null while unknown. */
export const countFiring = (alerts: readonly Alert[] | null, services: readonly string[] | null): number | null =>
  alerts ? ofServices(alerts, services).filter((a) => a.state === 'firing').length : null;

/** Folds a live alert into the ones pushed since the last load: a pending episode that resolved unfired goes. */
export function applyLiveAlert(pushed: ReadonlyMap<string, Alert | null>, alert: Alert): Map<string, Alert | null> {
  return new Map(pushed).set(alert.id, isShown(alert) ? alert : null);
}

/** The loaded alerts with live changes on top (`null`: removed). */
export function mergeAlerts(loaded: readonly Alert[], pushed: ReadonlyMap<string, Alert | null>): Alert[] {
  const merged = new Map<string, Alert>(loaded.map((a) => [a.id, a]));
  for (const [id, alert] of pushed) {
    if (alert) merged.set(id, alert);
    else merged.delete(id);
  }
  return [...merged.values()];
}

/** `just now`, `42s ago`, `3m ago`, `2h ago`, `5d ago`. */
export function timeSince(t: number, now: number): string {
  const s = Math.floor((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

const BEFORE_MS = 15 * 60_000;
const AFTER_MS = 5 * 60_000;

/**
 * The range of the service view around an alert: 15 minutes before it started to 5 after it ended. While it is
 * open, or when those 5 minutes are not over yet, the view is live from the same start instead: a paused
 * window that ends in the future would stay frozen with its end empty.
 */
export function alertRange(alert: Alert, now: number): { from: string; to: string } {
  const from = alert.startedAt - BEFORE_MS;
  const to = alert.resolvedAt === undefined ? null : alert.resolvedAt + AFTER_MS;
  if (to !== null && to <= now) return { from: String(from), to: String(to) };
  // Whole minutes, so the link reads `now-23m`.
  return { from: `now-${spanText(Math.ceil((now - from) / 60_000) * 60_000)}`, to: 'now' };
}
