import type { Alert } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { storeBackends, type TestDatabase } from './test-backends.ts';

describe.each(await storeBackends("the alert store's contract on PostgreSQL"))('the alert store ($name)', (backend) => {
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of databases.splice(0)) await db.drop();
  });

  it('keeps rules, open alerts with their acknowledgement, and silences across a reopen', async () => {
    const db = await backend.create();
    databases.push(db);
    const first = await db.open();
    await first.alerts.insertRule({ id: 'r1', body: ruleBody(), createdAt: 1, updatedAt: 1 });
    await first.alerts.saveAlert(alert({ state: 'firing', firedAt: 10 }));
    expect(await first.alerts.acknowledge('a1', 'dana', 20)).toMatchObject({
      acknowledgedBy: 'dana',
      acknowledgedAt: 20,
    });
    // A later save (the evaluator's) must not lose the acknowledgement.
    await first.alerts.saveAlert(alert({ state: 'firing', firedAt: 10, value: 999 }));
    await first.alerts.insertSilence({ id: 's1', service: 'checkout', startsAt: 0, endsAt: 1000 });
    await first.store.close();

    const second = (await db.open()).alerts;
    expect(await second.listRules()).toEqual([{ id: 'r1', body: ruleBody(), createdAt: 1, updatedAt: 1 }]);
    expect(await second.openAlerts()).toEqual([
      { ...alert({ state: 'firing', firedAt: 10, value: 999 }), acknowledgedBy: 'dana', acknowledgedAt: 20 },
    ]);
    expect((await second.activeSilences(500)).map((s) => s.id)).toEqual(['s1']);
    expect(await second.activeSilences(1000)).toEqual([]);
    await second.saveAlert(alert({ state: 'resolved', firedAt: 10, resolvedAt: 50 }));
    expect(await second.openAlerts()).toEqual([]);
    expect((await second.alerts({ states: ['resolved'], resolvedLimit: 10 })).map((a) => a.id)).toEqual(['a1']);
    expect(await second.pruneResolved(60)).toBe(1);
    expect(await second.getAlert('a1')).toBeNull();
    expect(await second.acknowledge('a1', 'dana', 70)).toBeNull();
    expect(await second.updateRule('nope', ruleBody(), 2)).toBe(false);
    expect(await second.updateRule('r1', { ...ruleBody(), name: 'slower' }, 2)).toBe(true);
    expect((await second.listRules())[0]).toMatchObject({ body: { name: 'slower' }, updatedAt: 2 });
    expect(await second.deleteRule('r1')).toBe(true);
    expect(await second.deleteSilence('s1')).toBe(true);
    expect(await second.pruneSilences(2000)).toBe(0);
  });

  it('lists the open alerts of a rule, of a service, or both', async () => {
    const db = await backend.create();
    databases.push(db);
    const { alerts } = await db.open();
    await alerts.saveAlert(alert({ id: 'a1', ruleId: 'r1', service: 'checkout' }));
    await alerts.saveAlert(alert({ id: 'a2', ruleId: 'r1', service: 'cart', startedAt: 6 }));
    await alerts.saveAlert(alert({ id: 'a3', ruleId: 'r2', service: 'cart', startedAt: 7 }));
    await alerts.saveAlert(alert({ id: 'a4', ruleId: 'r2', service: 'checkout', state: 'resolved', resolvedAt: 9 }));
    const ids = async (selector: { ruleId?: string; service?: string }) =>
      (await alerts.openSelected(selector)).map((a) => a.id);
    expect(await ids({ ruleId: 'r1' })).toEqual(['a2', 'a1']);
    expect(await ids({ service: 'cart' })).toEqual(['a3', 'a2']);
    expect(await ids({ ruleId: 'r2', service: 'checkout' })).toEqual([]);
    expect(await ids({})).toEqual(['a3', 'a2', 'a1']);
  });
});

function ruleBody() {
  return {
    name: 'slow',
    enabled: true,
    service: 'checkout',
    signal: 'p99',
    condition: { type: 'threshold' as const, op: '>' as const, value: 250, recovery: 250 },
    window: '1m',
    for: '0s',
    keepFiringFor: '0s',
    severity: 'critical' as const,
    notify: [],
  };
}

function alert(patch: Partial<Alert>): Alert {
  return {
    id: 'a1',
    ruleId: 'r1',
    ruleName: 'slow',
    service: 'checkout',
    state: 'pending',
    severity: 'critical',
    signal: 'p99',
    value: 300,
    threshold: 250,
    startedAt: 5,
    reason: 'p99 300 ms is above 250 ms over 1m',
    silenced: false,
    ...patch,
  };
}
