import type { Alert, Rule, Severity } from '@pulseboard/shared';
import type { AlertChange } from './evaluator.ts';
import type { Dispatcher } from './notifiers/dispatcher.ts';
import type { Notification, NotifierRegistry, NotifyContext } from './notifiers/types.ts';

/** Which rules' messages take a free send slot first. */
const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface NotifyDeps {
  dispatcher: Dispatcher;
  notifiers: NotifierRegistry;
  context: NotifyContext;
}

/**
 * Sends what one evaluation changed: firing and resolved (pending and cancelled episodes never reached
 * anyone), silenced alerts left out, and one message per rule, state and target however many services.
 */
export function notifyChanges(changes: readonly AlertChange[], deps: NotifyDeps): void {
  const groups = new Map<string, { rule: Rule; state: Notification['state']; alerts: Alert[] }>();
  for (const { rule, transition, alert } of changes) {
    if (transition !== 'firing' && transition !== 'resolved') continue;
    if (alert.silenced || rule.notify.length === 0) continue;
    const key = `${rule.id}\u0000${transition}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { rule, state: transition, alerts: [] }));
    group.alerts.push(alert);
  }
  for (const notification of groups.values()) {
    for (const target of notification.rule.notify) {
      const body = deps.notifiers[target.type].body(notification, deps.context);
      // Queued per rule, so one rule's unreachable receivers cannot crowd out another rule's messages.
      const { id, severity } = notification.rule;
      deps.dispatcher.send(id, target.url, JSON.stringify(body), SEVERITY_ORDER[severity]);
    }
  }
}

/** Where a notification's link opens: the service view around the alert, with the alert picked. */
export function alertUrlFor(baseUrl: string): (alert: Alert) => string {
  const margin = 15 * 60_000;
  return (alert) => {
    const query = new URLSearchParams({ from: String(alert.startedAt - margin) });
    if (alert.resolvedAt !== undefined) query.set('to', String(alert.resolvedAt + margin));
    query.set('alert', alert.id);
    return `${baseUrl.replace(/\/$/, '')}/services/${encodeURIComponent(alert.service)}?${query}`;
  };
}
