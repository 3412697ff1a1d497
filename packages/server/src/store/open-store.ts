import { ConfigError } from '../config-error.ts';
import { redactedUrl } from '../redacted-url.ts';
import type { AlertStore } from './alert-store.ts';
import { isPostgresUrl } from './postgres/url.ts';
import { openSqliteAlertStore } from './sqlite/alert-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/**
 * Opens the store `--db` names, with its alert store: a PostgreSQL database for a `postgres://` or
 * `postgresql://` URL (several instances may share it), else a SQLite file. A database that cannot be
 * reached or migrated stops start-up with a ConfigError naming `--db`. The PostgreSQL store (and the `pg`
 * client, ~3 MiB of heap) is loaded only when asked for, so the default SQLite server does not hold it.
 */
export async function openStores(db: string, now: () => number): Promise<{ store: Store; alertStore: AlertStore }> {
  if (!isPostgresUrl(db)) {
    const store = openSqliteStore(db);
    return { store, alertStore: openSqliteAlertStore(store.db) };
  }
  try {
    const [{ openPgStore }, { openPgAlertStore }] = await Promise.all([
      import('./postgres/pg-store.ts'),
      import('./postgres/alert-store.ts'),
    ]);
    const store = await openPgStore(db, { now });
    return { store, alertStore: openPgAlertStore(store.pool) };
  } catch (error) {
    throw new ConfigError(`--db: cannot use ${redactedUrl(db)}: ${(error as Error).message}`);
  }
}

/** The database as start-up names it: a PostgreSQL URL without its password, or the SQLite file. */
export function describeDatabase(db: string): string {
  return isPostgresUrl(db) ? redactedUrl(db) : db;
}
