import pg from 'pg';

/** The PostgreSQL error codes worth running a whole transaction again for. */
const RETRYABLE_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown: a server restart or failover closed the connection
  '57P03', // cannot_connect_now: the server is starting up
]);
/** Node socket errors of a connection that broke. */
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);
const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 50;

/**
 * A pool whose BIGINT columns (timestamps in ms) read as numbers: they stay below 2^53, and every caller
 * works in numbers.
 */
export function openPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection drops emits here; without a listener the process would crash.
  pool.on('error', () => {});
  return pool;
}

function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (RETRYABLE_CODES.has(code) || code.startsWith('08') || SOCKET_CODES.has(code))) {
    return true;
  }
  return /Connection terminated/.test(error.message);
}

/**
 * Runs `work` in one transaction on a client of the pool, committed before this resolves (PostgreSQL's
 * default synchronous_commit: durable once COMMIT answers). On a serialization failure, a deadlock or a broken
 * connection the whole transaction runs again, a few times with growing backoff. A failure during COMMIT
 * itself is not retried: the transaction may have committed, and bucket writes add, so running it again
 * could count twice.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let committing = false;
    let client: pg.PoolClient | null = null;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      const result = await work(client);
      committing = true;
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      if (client) {
        // A broken connection is destroyed rather than returned to the pool.
        await client.query('ROLLBACK').then(
          () => client?.release(),
          () => client?.release(true),
        );
      }
      if (committing || attempt >= ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
    }
  }
}
