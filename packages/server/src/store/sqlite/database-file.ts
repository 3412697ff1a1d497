import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The database file cannot be used; the message names it. Start-up stops with the message, no stack. */
export class DatabaseFileError extends Error {}

/** What each SQLite failure at open means for the person starting the server. */
const HINTS: Record<string, string> = {
  SQLITE_CANTOPEN: 'cannot open it: check that the path is a file and that its folder exists and is writable',
  SQLITE_NOTADB: 'it is not a SQLite database',
  SQLITE_CORRUPT: 'the database is damaged',
  SQLITE_READONLY: 'it is read-only: the file and its folder must be writable',
  SQLITE_PERM: 'permission denied',
};

/**
 * Runs `open` and rethrows any failure as a DatabaseFileError naming `file`: "unable to open database file"
 * alone does not say which file, and a server has several paths in its flags.
 */
export function namingFile<T>(file: string, open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw named(file, error);
  }
}

function named(file: string, error: unknown): DatabaseFileError {
  if (error instanceof DatabaseFileError) return error;
  const { code = 'error', message = String(error) } = error as { code?: string; message?: string };
  const detail = message.startsWith(code) ? message : `${code}: ${message}`;
  const hint = HINTS[code] ?? HINTS[code.replace(/_[A-Z]+$/, '')];
  return new DatabaseFileError(`database ${path.resolve(file)}: ${hint ? `${hint} (${detail})` : detail}`);
}

/**
 * Opens (creating it and its folder if needed) the SQLite file, after taking its lock, in WAL mode, and
 * runs `migrate` on it. `release` frees the lock: call it after closing the database.
 */
export function openDatabaseFile(
  file: string,
  migrate: (db: Database.Database) => void,
): { db: Database.Database; release: () => void } {
  if (file === ':memory:') {
    const db = configure(new Database(file));
    migrate(db);
    return { db, release: () => {} };
  }
  namingFile(file, () => fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true }));
  const release = lockDatabase(file);
  let db: Database.Database | undefined;
  try {
    return namingFile(file, () => {
      db = configure(new Database(file));
      migrate(db);
      return { db, release };
    });
  } catch (error) {
    db?.close();
    release();
    throw error;
  }
}

function configure(db: Database.Database): Database.Database {
  // WAL lets readers run beside the writer; NORMAL still survives a process kill (only power loss can drop
  // the newest commits); busy_timeout covers a second process (the bench, a backup) holding a lock briefly.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // SQLite's default page cache (2 MB), not the 32 MB it was: the demo's backfill filled a larger one, and
  // the freed pages never left the process (malloc's main arena), ~30 MiB of an idle server's memory. The
  // reads it served come from the operating system's file cache instead, at no cost the benches could tell
  // (docs/performance.md, "Idle memory with the demo on").
  db.pragma('cache_size = -2000');
  return db;
}

/**
 * One server per database file: two on one file both started, then failed on each other's writes and sent
 * every alert twice. The lock is an exclusive SQLite transaction held open on `<file>.lock` for the server's
 * life: an operating-system lock, so a process killed with -9 leaves no stale lock (the file stays, unlocked,
 * and is reused). The database itself stays readable by other tools (backups, `sqlite3`).
 */
function lockDatabase(file: string): () => void {
  const lockFile = `${path.resolve(file)}.lock`;
  const lock = namingFile(lockFile, () => new Database(lockFile, { timeout: 0 }));
  try {
    // The journal in memory: no -journal file beside the lock.
    lock.pragma('journal_mode = MEMORY');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new DatabaseFileError(
        `database ${path.resolve(file)} is in use by another Pulseboard server (it holds ${lockFile}); ` +
          'stop that one, or start this one with another --db',
      );
    }
    throw named(lockFile, error);
  }
  return () => lock.close();
}
