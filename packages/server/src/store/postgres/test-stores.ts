import { openPgStore, type PgStore } from './pg-store.ts';
import { createTestDatabase } from './test-database.ts';

/**
 * `n` stores started together on one fresh database, as instances sharing it. Their closing and the
 * database's drop go onto `cleanup`, for the test to run (last first) when it ends.
 */
export async function storesOnOneDatabase(
  n: number,
  cleanup: (() => Promise<void>)[],
  { now, connections }: { now: () => number; connections: number },
): Promise<PgStore[]> {
  const database = await createTestDatabase();
  cleanup.push(database.drop);
  const stores = await Promise.all(Array.from({ length: n }, () => openPgStore(database.url, { now, connections })));
  for (const store of stores) cleanup.push(() => store.close());
  return stores;
}
