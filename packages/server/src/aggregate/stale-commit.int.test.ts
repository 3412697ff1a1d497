import { afterEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../model.ts';
import { StaleCumulativeError } from '../store/stale-cumulative.ts';
import { collect } from '../testing/collect.ts';
import { createTestDatabase, postgresReachable } from '../testing/postgres.ts';
import { startTestApp } from '../testing/test-app.ts';

const reachable = await postgresReachable('the stale cumulative commit test (aggregate/stale-commit.int.test.ts)');

/**
 * Two instances on one PostgreSQL database: an export whose cumulative state the other instance moved on
 * fails alone, not the requests that happened to share its commit.
 */
describe.runIf(reachable)('a commit holding one stale cumulative export', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('rejects that export and what names its new series; the other requests are stored', async () => {
    const database = await createTestDatabase();
    cleanup.push(database.drop);
    const [a, b] = await Promise.all([startTestApp({ db: database.url }), startTestApp({ db: database.url })]);
    cleanup.push(
      () => a.app.close(),
      () => b.app.close(),
    );
    const t = Date.now();
    const state = { key: 'ledger-requests', start: t - 60_000, time: t, state: '{"sum":5}', after: null };
    // a stores the series' state first; b converted its export without it (as if it had none before).
    await a.app.core.aggregator.submit(batch('ledger', 5, t), [state]);

    const { aggregator } = b.app.core;
    const stale = aggregator.submit(batch('ledger', 7, t), [{ ...state, time: t + 1 }]).catch((e: unknown) => e);
    const shop = aggregator.submit(batch('shop', 3, t));
    // Names the series the stale export is creating here: it cannot be stored without it.
    const ledgerToo = aggregator.submit(batch('ledger', 2, t)).catch((e: unknown) => e);
    const [staleError, stored, refused] = await Promise.all([stale, shop, ledgerToo]);

    expect(staleError).toBeInstanceOf(StaleCumulativeError);
    // Before, every request of the commit was answered this 503.
    expect(stored).toBe(3);
    expect(refused).toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED' });
    const counts = async (service: string) => {
      const rows = await b.app.core.store.readRed({
        tier: 0,
        services: [service],
        byRoute: false,
        from: 0,
        to: t + 60_000,
      });
      return rows.reduce((n, row) => n + row.count, 0);
    };
    expect(await counts('shop')).toBe(3);
    expect(await counts('ledger')).toBe(5);
    // The ledger series b registered for the stale export is released; the stored one is a's.
    expect((await collect(b.app.core.store.loadSeries())).map((s) => s.service).sort()).toEqual(['ledger', 'shop']);
    // Retried, both are stored.
    await expect(aggregator.submit(batch('ledger', 2, t))).resolves.toBe(2);
    expect(await counts('ledger')).toBe(7);
  });
});

function batch(service: string, n: number, t: number): SampleBatch {
  return [
    {
      identity: { service, name: 'http.server.request.duration', kind: 'histogram', unit: 'ms', attributes: {} },
      timestamps: Array.from({ length: n }, () => t),
      values: Array.from({ length: n }, (_, i) => i + 1),
    },
  ];
}
