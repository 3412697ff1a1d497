import type Database from 'better-sqlite3';
import { RowsMerger } from '../merge-rows.ts';
import type { Rows } from '../rows.ts';
import { decodeRows, encodeRows } from '../rows-codec.ts';

/** Rows held past this many (distinct buckets) are written at the end of the commit that brought them. */
export const FLUSH_ROWS = 5_000;
/**
 * Past this many held rows a commit first writes them, and fails if it cannot: a nearly full disk may take a
 * commit's small journal entry but not a flush, and the held rows must not grow without bound meanwhile.
 */
export const MAX_HELD_ROWS = 50_000;
/** Held rows are written at least this often, so the tables (and a restart's replay) stay close behind. */
export const FLUSH_EVERY_MS = 1_000;

/**
 * Bucket rows written behind their commit. A commit's transaction appends its rows to `row_journal` as one
 * blob (a few pages at the end of one table, where upserting them dirtied a page per series and route);
 * once it has committed they are merged in memory with the rows of the commits before (each bucket once,
 * its sketch decoded once per commit and encoded once). `flush` writes the merged rows to their tables
 * and deletes the journal entries they came from in one transaction, so every committed row is counted
 * exactly once: in the tables, or in the journal, which `replay` writes at the next start after a crash.
 *
 * Why: a live service's requests land in the same few buckets, and each commit upserted them again (a
 * SQLite statement, a stored sketch decoded and encoded, a dirtied page); see docs/performance.md.
 * Readers of the tables call `flush` first, so they see every committed row.
 */
export function writeBehind(db: Database.Database, writeRows: (rows: Rows) => void) {
  const insert = db.prepare<[Buffer]>('INSERT INTO row_journal (rows) VALUES (?)');
  const remove = db.prepare<[number]>('DELETE FROM row_journal WHERE id <= ?');
  const entries = db.prepare<[], [number, Buffer]>('SELECT id, rows FROM row_journal ORDER BY id').raw();
  const write = db.transaction((rows: Rows, upTo: number) => {
    writeRows(rows);
    remove.run(upTo);
  });
  let held = new RowsMerger();
  /** The newest journal entry whose rows are held (0: none held). */
  let heldUpTo = 0;

  const flush = (): void => {
    if (heldUpTo === 0) return;
    // `finish` leaves the merger as it was: if the write fails (a full disk), the rows stay held for the next.
    write.immediate(held.finish(), heldUpTo);
    held = new RowsMerger();
    heldUpTo = 0;
  };
  const hold = (rows: readonly Rows[], upTo: number) => {
    for (const r of rows) held.add(r);
    heldUpTo = upTo;
  };

  return {
    /** Before a commit's transaction: writes the held rows if they are too many (throws if that fails). */
    beforeCommit(): void {
      if (held.size >= MAX_HELD_ROWS) flush();
    },
    /** Inside a commit's transaction: journals its rows. The entry's id, for `committed` (0: no rows). */
    journal(rows: readonly Rows[]): number {
      let id = 0;
      for (const r of rows) {
        refuseUnknowns(r);
        id = Number(insert.run(encodeRows(r)).lastInsertRowid);
      }
      return id;
    },
    /**
     * After the commit that journaled `rows` as entries up to `upTo`: holds them, and writes what is held
     * once it is many rows. A failure to write then is left for the next flush: the commit stands.
     */
    committed(rows: readonly Rows[], upTo: number): void {
      if (upTo === 0) return;
      hold(rows, upTo);
      if (held.size >= FLUSH_ROWS) flushQuietly();
    },
    flush,
    /** `flush`, leaving a failure (a full disk) to the next try: the rows stay held and journaled. */
    flushQuietly,
    /** At start-up: writes the rows of commits a crash left in the journal. */
    replay(): void {
      for (const [id, blob] of entries.iterate()) hold([decodeRows(blob)], id);
      flush();
    },
  };

  function flushQuietly(): void {
    try {
      flush();
    } catch {
      // Held, and journaled: tried again by the next flush (a read, the timer, the next commit).
    }
  }
}

/**
 * Throws, failing the commit, on a row the tables would refuse at the flush: every column is NOT NULL, and
 * NaN binds as NULL. Checked here so that such a row fails its own commit, as when rows were upserted in it,
 * instead of every flush after it.
 */
function refuseUnknowns(rows: Rows): void {
  for (const block of [...rows.samples, ...rows.red]) {
    for (const value of block.columns) {
      if (Number.isNaN(value)) throw new Error('NOT NULL constraint failed: a bucket row holds NaN');
    }
  }
}
