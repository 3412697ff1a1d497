import type { Alert, NotifyTarget, Rule } from '@pulseboard/shared';

/** One rule's alerts that changed the same way in one evaluation: one message per target. */
export interface Notification {
  state: 'firing' | 'resolved';
  rule: Rule;
  /** One or more (a `*` rule firing on several services at once sends them together). */
  alerts: readonly Alert[];
}

export interface NotifyContext {
  /** Opens the dashboard at an alert. */
  alertUrl: (alert: Alert) => string;
}

/** Turns a notification into the JSON body a kind of receiver expects; sending is the dispatcher's. */
export interface Notifier {
  body(notification: Notification, context: NotifyContext): unknown;
}

export type NotifierRegistry = Record<NotifyTarget['type'], Notifier>;
