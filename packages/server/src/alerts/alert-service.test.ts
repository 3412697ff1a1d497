import type { Rule } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalBus } from '../bus/bus.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { sqliteBackend, type TestDatabase } from '../store/test-backends.ts';
import { AlertService } from './alert-service.ts';
import type { SignalSource } from './evaluator.ts';
import type { Dispatcher } from './notifiers/dispatcher.ts';
import { NOTIFIERS } from './notifiers/registry.ts';
import { RuleSet } from './rule-set.ts';
import { testRule } from './test-rule.ts';

const rule = testRule({ id: 'slow', notify: [{ type: 'webhook', url: 'http://hooks.example/alert' }] });
const everyService = testRule({ id: 'slow-anywhere', service: '*' });

describe('AlertService', () => {
  let database: TestDatabase | null = null;
  afterEach(async () => {
    await database?.drop();
    database = null;
  });

  /** A service over `store` (default: a real SQLite one) whose rule fires on each of `services`. */
  async function start(options: {
    services: string[];
    rules?: Rule[];
    store?: (stored: AlertStore) => AlertStore;
    now?: number;
  }) {
    database = await sqliteBackend.create();
    const stored = (await database.open()).alerts;
    const store = options.store?.(stored) ?? stored;
    const source: SignalSource = {
      window: async () => ({ value: 300, count: 1 }),
      history: async () => ({ values: [], coveredMs: 0 }),
      activeServices: async () => options.services,
      seen: async () => true,
    };
    const sent: string[] = [];
    const dispatcher = { send: (_key: string, url: string) => sent.push(url) } as unknown as Dispatcher;
    const bus = createLocalBus();
    const published: string[] = [];
    bus.subscribe('alert', (alert) =>
      published.push(`${alert.service} ${alert.state}${alert.silenced ? ' silenced' : ''}`),
    );
    let ids = 0;
    const service = await AlertService.open({
      store,
      rules: await RuleSet.load({
        store,
        fixed: options.rules ?? [rule],
        now: () => 0,
        newId: () => 'r',
        targetRefusal: () => null,
        metricKind: () => undefined,
        maxRules: 10,
      }),
      source,
      bus,
      notify: { dispatcher, notifiers: NOTIFIERS, context: { alertUrl: () => 'http://pulseboard/alert' } },
      now: () => options.now ?? 0,
      newId: () => `id-${ids++}`,
      maxSilences: 10,
    });
    return { stored, service, sent, published };
  }

  it('records, publishes and notifies a change whose save failed at the next evaluation, once', async () => {
    let failSaves = 1;
    // The store as it is, but its next save fails (a busy database, a PostgreSQL error).
    const { stored, service, sent, published } = await start({
      services: ['checkout'],
      store: (stored) => {
        const store: AlertStore = Object.create(stored);
        store.saveAlert = async (alert) => {
          if (failSaves-- > 0) throw new Error('database is locked');
          return stored.saveAlert(alert);
        };
        return store;
      },
    });
    await service.evaluate(-3_600_000);
    await expect(service.evaluate(0)).rejects.toThrow('database is locked');
    expect(await stored.openAlerts()).toEqual([]);
    expect(sent).toEqual([]);
    // The evaluator has moved on (the alert fires in its eyes): the change is recorded now, not lost.
    expect(await service.evaluate(1_000)).toHaveLength(1);
    expect((await stored.openAlerts()).map((a) => [a.service, a.state])).toEqual([['checkout', 'firing']]);
    expect(published).toEqual(['checkout firing']);
    expect(sent).toEqual(['http://hooks.example/alert']);
    // And only once.
    expect(await service.evaluate(2_000)).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('republishes, when a silence is added or removed, the open alerts it covers and no others', async () => {
    const services = ['cart', 'checkout', 'search'];
    const { service, published } = await start({ services, rules: [everyService], now: 1_000 });
    await service.evaluate(-3_600_000);
    await service.evaluate(0);
    published.length = 0;
    const cart = await service.addSilence({ service: 'cart', duration: '1h' });
    expect(published.splice(0)).toEqual(['cart firing silenced']);
    const all = await service.addSilence({ ruleId: everyService.id, duration: '1h' });
    expect(published.splice(0).sort()).toEqual([
      'cart firing silenced',
      'checkout firing silenced',
      'search firing silenced',
    ]);
    // Still covered by the rule's silence.
    await service.removeSilence(cart.id);
    expect(published.splice(0)).toEqual(['cart firing silenced']);
    await service.removeSilence(all.id);
    expect(published.splice(0).sort()).toEqual(['cart firing', 'checkout firing', 'search firing']);
    await service.addSilence({ service: 'nowhere', duration: '1h' });
    expect(published).toEqual([]);
  });
});
