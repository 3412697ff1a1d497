import type { Notifier } from './types.ts';

const ICON = { firing: ':rotating_light:', resolved: ':white_check_mark:' } as const;

/** Slack incoming webhooks (and the many tools that accept their format): `text` in mrkdwn. */
export const slackNotifier: Notifier = {
  body(notification, context) {
    const { rule, state, alerts } = notification;
    const head = `${ICON[state]} *${state.toUpperCase()}* [${rule.severity}] ${escapeSlack(rule.name)}`;
    const lines = alerts.map(
      (a) => `• <${escapeSlack(context.alertUrl(a))}|${escapeSlack(a.service)}>: ${escapeSlack(a.reason)}`,
    );
    return { text: [head, ...lines].join('\n') };
  },
};

/**
 * Slack's control characters in text we did not write (service and rule names, reasons): a service named
 * `<!channel>` or `<https://evil.test|login>` would otherwise ping everyone or show a fake link. Slack's
 * rule: escape `&`, `<` and `>` as HTML entities, and nothing else.
 */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
