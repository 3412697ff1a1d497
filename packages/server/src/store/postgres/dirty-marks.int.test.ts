import { afterEach, describe, expect, it } from 'vitest';
import type { PgStore } from './pg-store.ts';
import { postgresReachable } from './test-database.ts';
import { storesOnOneDatabase } from './test-stores.ts';

const T = 1_800_000_000_000;
const MINUTE = 2;

const reachable = await postgresReachable('the shared dirty marks tests');

describe.runIf(reachable)('dirty marks shared by instances on one PostgreSQL database', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const instances = async () =>
    (await storesOnOneDatabase(2, cleanup, { now: () => T, connections: 2 })) as [PgStore, PgStore];
  const mark = async (store: PgStore) => {
    const appender = store.appender();
    appender.markDirty(MINUTE, T);
    await appender.commit();
  };

  it("keeps a bucket's mark when another instance marked it again during the rebuild", async () => {
    const [a, b] = await instances();
    await mark(a);
    const [read] = await a.loadDirty();
    expect(read).toEqual([MINUTE, T, 1]);
    // b writes into the bucket while a rebuilds it: a's rebuild may have missed that write.
    await mark(b);
    await a.markBuilt(MINUTE, T, read![2]);
    expect(await b.loadDirty()).toEqual([[MINUTE, T, 2]]);
    await b.markBuilt(MINUTE, T, 2);
    expect(await a.loadDirty()).toEqual([]);
  });
});
