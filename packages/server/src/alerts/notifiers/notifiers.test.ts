import type { Alert, Rule } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import type { AlertChange } from '../evaluator.ts';
import { alertUrlFor, notifyChanges } from '../notify.ts';
import { RefusedDestination } from './destination.ts';
import { Dispatcher, type DispatcherOptions, type Outcome } from './dispatcher.ts';
import { NOTIFIERS } from './registry.ts';

describe('notifications', () => {
  it('groups a * rule firing on several services into one webhook, and leaves silenced alerts out', async () => {
    const sent: { url: string; body: unknown }[] = [];
    const { dispatcher } = setup(async (url, body) => {
      sent.push({ url, body: JSON.parse(body) });
      return 200;
    });
    const r = rule([{ type: 'webhook', url: 'http://hook.test/a' }]);
    notifyChanges(
      [
        change(r, 'a'),
        change(r, 'b'),
        change(r, 'c', { silenced: true }),
        { ...change(r, 'd'), transition: 'pending' },
      ],
      { dispatcher, notifiers: NOTIFIERS, context: { alertUrl: alertUrlFor('http://pulse.test') } },
    );
    await dispatcher.idle();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      state: 'firing',
      ruleId: 'r1',
      service: '*',
      alerts: [
        { service: 'a', alertId: 'id-a', url: expect.stringMatching(/^http:\/\/pulse\.test\/services\/a\?from=/) },
        { service: 'b' },
      ],
    });
  });

  it('formats Slack messages as mrkdwn text', () => {
    const r = rule([{ type: 'slack', url: 'http://hook.test/s' }]);
    const body = NOTIFIERS.slack.body(
      { state: 'resolved', rule: r, alerts: [change(r, 'a').alert] },
      { alertUrl: () => 'http://x/a' },
    );
    expect(body).toEqual({ text: ':white_check_mark: *RESOLVED* [critical] slow\n• <http://x/a|a>: p99 high' });
  });

  it('escapes Slack control characters in names and reasons, so a service cannot ping @channel or fake a link', () => {
    const r = { ...rule([{ type: 'slack', url: 'http://hook.test/s' }]), name: 'R&D <!here>' };
    const service = '<!channel> <https://evil.test|click here>';
    const body = NOTIFIERS.slack.body(
      { state: 'firing', rule: r, alerts: [change(r, service, { reason: `p99 > 250 ms on ${service}` }).alert] },
      { alertUrl: alertUrlFor('http://pulse.test') },
    ) as { text: string };
    expect(body.text).not.toMatch(/<!|<https:\/\/evil/);
    expect(body.text).toContain('R&amp;D &lt;!here&gt;');
    expect(body.text).toContain(
      '|&lt;!channel&gt; &lt;https://evil.test|click here&gt;>: p99 &gt; 250 ms on &lt;!channel&gt;',
    );
    // The link itself is ours: the service is percent-encoded in it, and its `&`s are escaped as Slack asks.
    expect(body.text).toMatch(/• <http:\/\/pulse\.test\/services\/%3C!channel%3E%20[^|>\s]+\?from=-?\d+&amp;alert=id-/);
  });

  it('retries 5xx with backoff, and gives up after the retries', async () => {
    const answers = [503, 503, 200];
    const { dispatcher, outcomes, calls } = setup(async () => answers.shift() ?? 500);
    dispatcher.send('r1', 'http://hook.test/a', '{}');
    await dispatcher.idle();
    expect(calls).toHaveLength(3);
    expect(outcomes).toEqual([['delivered', 'HTTP 200']]);

    const dead = setup(async () => 500, { retries: 1 });
    dead.dispatcher.send('r1', 'http://hook.test/a', '{}');
    await dead.dispatcher.idle();
    expect(dead.calls).toHaveLength(2);
    expect(dead.outcomes).toEqual([['failed', 'HTTP 500']]);
  });

  it('does not retry a redirect (not followed), a 4xx, or a refused destination', async () => {
    const { dispatcher, outcomes, calls } = setup(async (url) => {
      if (url.endsWith('/moved')) return 302;
      if (url.endsWith('/gone')) return 404;
      throw new RefusedDestination('169.254.169.254 is a link-local address');
    });
    dispatcher.send('r1', 'http://hook.test/moved', '{}');
    dispatcher.send('r1', 'http://hook.test/gone', '{}');
    dispatcher.send('r1', 'http://169.254.169.254/latest', '{}');
    await dispatcher.idle();
    expect(calls).toHaveLength(3);
    expect(outcomes).toEqual([
      ['failed', 'HTTP 302: redirects are not followed'],
      ['failed', 'HTTP 404'],
      ['refused', 'refused: 169.254.169.254 is a link-local address'],
    ]);
  });
});

function setup(post: DispatcherOptions['post'], overrides: Partial<DispatcherOptions> = {}) {
  const outcomes: [Outcome, string][] = [];
  const calls: string[] = [];
  const dispatcher = new Dispatcher({
    post: (url, body, signal) => {
      calls.push(url);
      return post(url, body, signal);
    },
    retries: 3,
    backoffMs: 1,
    maxInFlight: 8,
    maxPerTarget: 2,
    maxQueuedPerKey: 100,
    maxQueued: 1000,
    onOutcome: (outcome, _url, detail) => outcomes.push([outcome, detail]),
    ...overrides,
  });
  return { dispatcher, outcomes, calls };
}

function rule(notify: Rule['notify']): Rule {
  return {
    id: 'r1',
    name: 'slow',
    enabled: true,
    service: '*',
    signal: 'p99',
    condition: { type: 'threshold', op: '>', value: 250, recovery: 250 },
    window: '1m',
    for: '0s',
    keepFiringFor: '0s',
    severity: 'critical',
    notify,
    source: 'api',
    readOnly: false,
  };
}

function change(r: Rule, service: string, patch: Partial<Alert> = {}): AlertChange {
  return {
    rule: r,
    transition: 'firing',
    alert: {
      id: `id-${service}`,
      ruleId: r.id,
      ruleName: r.name,
      service,
      state: 'firing',
      severity: 'critical',
      signal: 'p99',
      value: 300,
      startedAt: 1000,
      firedAt: 1000,
      reason: 'p99 high',
      silenced: false,
      ...patch,
    },
  };
}
