import { slackNotifier } from './slack.ts';
import type { NotifierRegistry } from './types.ts';
import { webhookNotifier } from './webhook.ts';

/** Notifiers by target type: a new kind of receiver is a new entry here. */
export const NOTIFIERS: NotifierRegistry = {
  webhook: webhookNotifier,
  slack: slackNotifier,
};
