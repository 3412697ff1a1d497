import type { Notifier } from './types.ts';

const ICON = { firing: ':rotating_light:', resolved: ':white_check_mark:' } as const;

/** Slack incoming webhooks (and the many tools that accept their format): `text` in mrkdwn. */
export const slackNotifier: Notifier = {
  body(notification, context) {
    const { rule, state, alerts } = notification;
    const head = `${ICON[state]} *${state.toUpperCase()}* [${rule.severity}] ${rule.name}`;
    const lines = alerts.map((a) => `• <${context.alertUrl(a)}|${a.service}>: ${a.reason}`);
    return { text: [head, ...lines].join('\n') };
  },
};
