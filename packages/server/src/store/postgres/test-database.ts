import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the store tests use: the one these machines run, unless PULSEBOARD_TEST_POSTGRES names another. */
export const TEST_POSTGRES_URL = process.env.PULSEBOARD_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Whether PostgreSQL answers; when it does not, says so on stderr, for the caller to skip its tests (a
 * machine without PostgreSQL cannot run them, and a silent skip would look like a pass).
 */
export async function postgresReachable(suite: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    process.stderr.write(`NOTICE: ${suite} skipped: no PostgreSQL reachable at ${TEST_POSTGRES_URL}\n`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh database of its own (`pulseboard_test_<random>`); `drop` removes it, closing what is still connected. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pulseboard_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
