import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Alert } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteAlertStore } from './alert-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

describe('SQLite alert store', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('keeps rules, open alerts with their acknowledgement, and silences across a reopen', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-alerts-')), 'a.db');
    const first = open(file);
    await first.alerts.insertRule({ id: 'r1', body: ruleBody(), createdAt: 1, updatedAt: 1 });
    await first.alerts.saveAlert(alert({ state: 'firing', firedAt: 10 }));
    expect(await first.alerts.acknowledge('a1', 'dana', 20)).toMatchObject({
      acknowledgedBy: 'dana',
      acknowledgedAt: 20,
    });
    // A later save (the evaluator's) must not lose the acknowledgement.
    await first.alerts.saveAlert(alert({ state: 'firing', firedAt: 10, value: 999 }));
    await first.alerts.insertSilence({ id: 's1', service: 'checkout', startsAt: 0, endsAt: 1000 });
    await first.close();

    const second = open(file);
    expect(await second.alerts.listRules()).toEqual([{ id: 'r1', body: ruleBody(), createdAt: 1, updatedAt: 1 }]);
    expect(await second.alerts.openAlerts()).toEqual([
      { ...alert({ state: 'firing', firedAt: 10, value: 999 }), acknowledgedBy: 'dana', acknowledgedAt: 20 },
    ]);
    expect((await second.alerts.activeSilences(500)).map((s) => s.id)).toEqual(['s1']);
    expect(await second.alerts.activeSilences(1000)).toEqual([]);
    await second.alerts.saveAlert(alert({ state: 'resolved', firedAt: 10, resolvedAt: 50 }));
    expect(await second.alerts.openAlerts()).toEqual([]);
    expect((await second.alerts.alerts({ states: ['resolved'], resolvedLimit: 10 })).map((a) => a.id)).toEqual(['a1']);
    expect(await second.alerts.pruneResolved(60)).toBe(1);
    expect(await second.alerts.updateRule('nope', ruleBody(), 2)).toBe(false);
    expect(await second.alerts.deleteRule('r1')).toBe(true);
  });

  function open(file: string) {
    const store = openSqliteStore(file);
    const handle = { alerts: openSqliteAlertStore(store.db), close: () => store.close() };
    // Closing again (after the test did) is a no-op.
    closers.push(() => store.close());
    return handle;
  }
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
