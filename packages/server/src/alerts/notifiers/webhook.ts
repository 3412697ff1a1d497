import type { Alert, WebhookAlert, WebhookPayload } from '@pulseboard/shared';
import type { Notification, Notifier, NotifyContext } from './types.ts';

/**
 * The contract's payload. A grouped notification keeps the contract's fields (for the first alert, with
 * `service` `*` and a reason naming every service) and lists each alert in `alerts`.
 */
export const webhookNotifier: Notifier = {
  body(notification, context): WebhookPayload {
    const entries = notification.alerts.map((a) => entry(notification, a, context));
    const [first] = entries;
    if (!first) throw new RangeError('a notification needs at least one alert');
    if (entries.length === 1) return first;
    const services = notification.alerts.map((a) => a.service).join(', ');
    return {
      ...first,
      service: '*',
      reason: `${notification.rule.name} ${notification.state} on ${entries.length} services: ${services}`,
      alerts: entries,
    };
  },
};

function entry(notification: Notification, alert: Alert, context: NotifyContext): WebhookAlert {
  return {
    state: notification.state,
    alertId: alert.id,
    ruleId: alert.ruleId,
    ruleName: alert.ruleName,
    service: alert.service,
    severity: alert.severity,
    value: alert.value,
    reason: alert.reason,
    startedAt: alert.startedAt,
    ...(alert.resolvedAt !== undefined ? { resolvedAt: alert.resolvedAt } : {}),
    url: context.alertUrl(alert),
  };
}
