import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert, Rule } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertChange } from '../evaluator.ts';
import { alertUrlFor, notifyChanges } from '../notify.ts';
import { Dispatcher } from './dispatcher.ts';
import { NOTIFIERS } from './registry.ts';

describe('notifications', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  });

  it('groups a * rule firing on several services into one webhook, and leaves silenced alerts out', async () => {
    const sent: { url: string; body: unknown }[] = [];
    const dispatcher = new Dispatcher({
      ...fast(),
      fetch: async (url, init) => {
        sent.push({ url: String(url), body: JSON.parse(String(init?.body)) });
        return new Response('ok');
      },
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

  it('retries a failing receiver with backoff, and gives up after the retries', async () => {
    const attempts: number[] = [];
    const { url } = await receiver(servers, (_req, res) => {
      attempts.push(Date.now());
      res.statusCode = attempts.length < 3 ? 503 : 200;
      res.end();
    });
    const failures: string[] = [];
    const dispatcher = new Dispatcher({ ...fast(), onFailure: (_u, e) => failures.push(e) });
    dispatcher.send(url, { hello: 1 });
    await dispatcher.idle();
    expect(attempts).toHaveLength(3);
    expect(failures).toEqual([]);

    const dead = new Dispatcher({ ...fast(), retries: 1, onFailure: (_u, e) => failures.push(e) });
    const { url: down } = await receiver(servers, (_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    dead.send(down, {});
    await dead.idle();
    expect(failures).toEqual(['HTTP 500']);
  });

  it('times out a receiver that never answers, without holding up the caller', async () => {
    const { url } = await receiver(servers, () => {
      // never answers
    });
    const failures: string[] = [];
    const dispatcher = new Dispatcher({
      ...fast(),
      retries: 0,
      timeoutMs: 100,
      onFailure: (_u, e) => failures.push(e),
    });
    const started = Date.now();
    dispatcher.send(url, {});
    expect(Date.now() - started).toBeLessThan(20);
    await dispatcher.idle();
    expect(failures[0]).toMatch(/abort|timeout/i);
    await dispatcher.close();
  });
});

function fast() {
  return {
    fetch: globalThis.fetch,
    timeoutMs: 2000,
    retries: 3,
    backoffMs: 10,
    maxQueued: 100,
    onFailure: () => {},
  };
}

async function receiver(servers: http.Server[], handler: http.RequestListener) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
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
