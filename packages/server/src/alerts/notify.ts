import type { Alert, Rule } from '@pulseboard/shared';
import type { AlertChange } from './evaluator.ts';
import type { Dispatcher } from './notifiers/dispatcher.ts';
import type { Notification, NotifierRegistry, NotifyContext } from './notifiers/types.ts';

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
      deps.dispatcher.send(target.url, body);
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
