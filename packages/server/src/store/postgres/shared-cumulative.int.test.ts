import { afterEach, describe, expect, it } from 'vitest';
import { StaleCumulativeError } from '../stale-cumulative.ts';
import type { CumulativeState } from '../store.ts';
import type { PgStore } from './pg-store.ts';
import { postgresReachable } from './test-database.ts';
import { storesOnOneDatabase } from './test-stores.ts';

const T = 1_800_000_000_000;
const KEY = 'checkout\u0000http.server.requests\u0000{}';

const reachable = await postgresReachable('the shared cumulative state tests');

/** A cumulative counter's state at `time` (value `sum`), taken against `after`. */
const state = (time: number, sum: number, after: CumulativeState['after']): CumulativeState => ({
  key: KEY,
  start: T,
  time,
  state: JSON.stringify({ type: 'sum', value: sum }),
  after,
});

describe.runIf(reachable)('cumulative state shared by instances on one PostgreSQL database', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const instances = async () =>
    (await storesOnOneDatabase(2, cleanup, { now: () => T, connections: 2 })) as [PgStore, PgStore];
  const commit = (store: PgStore, s: CumulativeState, service = 'checkout') => {
    const appender = store.appender();
    appender.setCumulative(s);
    appender.seeService(service, { first: s.start, last: s.time });
    return appender.commit();
  };

  it('refuses a state taken against one another instance has moved on, writing nothing of that commit', async () => {
    const [a, b] = await instances();
    await commit(a, state(T + 60_000, 10, null));
    // b never saw the series: its point would count in full, and count a's 10 again.
    const refused = await commit(b, state(T + 120_000, 25, null), 'other').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StaleCumulativeError);
    expect((refused as StaleCumulativeError).statusCode).toBe(503);
    expect((refused as StaleCumulativeError).current).toMatchObject([{ key: KEY, time: T + 60_000 }]);
    expect((await b.services()).map((s) => s.name)).toEqual(['checkout']);
    // Taken against the stored state, it commits; a's next, taken against its own older one, is refused.
    await commit(b, state(T + 120_000, 25, { start: T, time: T + 60_000 }));
    await expect(commit(a, state(T + 180_000, 31, { start: T, time: T + 60_000 }))).rejects.toBeInstanceOf(
      StaleCumulativeError,
    );
    expect(await a.loadCumulativeState()).toMatchObject([{ key: KEY, time: T + 120_000 }]);
  });

  it('lets one of two instances storing a new series at once win, and tells the other', async () => {
    const [a, b] = await instances();
    const results = await Promise.allSettled([
      commit(a, state(T + 60_000, 10, null)),
      commit(b, state(T + 61_000, 11, null)),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [lost] = results.filter((r) => r.status === 'rejected');
    expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(StaleCumulativeError);
  });
});
