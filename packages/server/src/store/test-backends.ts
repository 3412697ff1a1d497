import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startTestApp } from '../testing/test-app.ts';
import type { AlertStore } from './alert-store.ts';
import { openPgAlertStore } from './postgres/alert-store.ts';
import { openPgStore } from './postgres/pg-store.ts';
import { createTestDatabase, postgresReachable } from './postgres/test-database.ts';
import { openSqliteAlertStore } from './sqlite/alert-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

export interface OpenedStore {
  store: Store;
  alerts: AlertStore;
}

/** One empty database of a backend; `open` opens a store on it, again after a close to see what persists. */
export interface TestDatabase {
  open(): Promise<OpenedStore>;
  /** Closes what is still open and removes the database. */
  drop(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  create(): Promise<TestDatabase>;
  /** A `db` setting for a test app (`startTestApp`), and how to remove it after; none is the app's own SQLite file. */
  appDatabase(): Promise<{ db?: string; drop(): Promise<void> }>;
}

const T = 1_800_000_000_000;

export const sqliteBackend: StoreBackend = {
  name: 'SQLite',
  async create() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-store-'));
    const opened: Store[] = [];
    return {
      async open() {
        const store = openSqliteStore(path.join(dir, 'a.db'));
        opened.push(store);
        return { store, alerts: openSqliteAlertStore(store.db) };
      },
      async drop() {
        for (const store of opened.splice(0)) await closeQuietly(store);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  appDatabase: async () => ({ drop: async () => {} }),
};

export const postgresBackend: StoreBackend = {
  name: 'PostgreSQL',
  async create() {
    const database = await createTestDatabase();
    const opened: Store[] = [];
    return {
      async open() {
        // The clock only places the partitions made ahead at start-up: near the tests' data.
        const store = await openPgStore(database.url, { now: () => T, connections: 4 });
        opened.push(store);
        return { store, alerts: openPgAlertStore(store.pool) };
      },
      async drop() {
        for (const store of opened.splice(0)) await closeQuietly(store);
        await database.drop();
      },
    };
  },
  async appDatabase() {
    const database = await createTestDatabase();
    return { db: database.url, drop: database.drop };
  },
};

/** A test app (`startTestApp`) on a fresh database of `backend`; `close` closes it and removes the database. */
export async function startBackendApp(
  backend: StoreBackend,
  now: () => number,
): Promise<{ app: FastifyInstance; close: () => Promise<void> }> {
  const database = await backend.appDatabase();
  const { app } = await startTestApp(database.db ? { db: database.db } : {}, now);
  return {
    app,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** The backends to run the store's contract against: PostgreSQL only where one answers (a notice says so otherwise). */
export async function storeBackends(suite: string): Promise<StoreBackend[]> {
  return (await postgresReachable(suite)) ? [sqliteBackend, postgresBackend] : [sqliteBackend];
}

async function closeQuietly(store: Store): Promise<void> {
  try {
    await store.close();
  } catch {
    // closed by the test already
  }
}
