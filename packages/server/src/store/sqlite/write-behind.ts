import type Database from 'better-sqlite3';
import { RowsMerger } from '../merge-rows.ts';
import { type Rows, rowCount, sliceRows } from '../rows.ts';
import { decodeRows, encodeRows } from '../rows-codec.ts';

/**
 * Rows one transaction writes to the tables, at most: a commit's rows are journaled in entries of at most this
 * many, and held rows are written in slices of at most this many, one slice per turn of the event loop.
 * Measured: 34 - 45 ms a slice of Collector-like rows, sketches merged into stored ones (at 5,000: 96 - 154
 * ms; docs/performance.md, 2026-12-08).
 */
export const SLICE_ROWS = 2_000;
/**
 * Past this many held rows a commit first writes the oldest slices, and fails if it cannot: a nearly full disk
 * may take a commit's small journal entry but not a flush, and the held rows must not grow without bound.
 * Above a request's bucket budget (100,000), so that a commit after one that big does not write its rows.
 */
export const MAX_HELD_ROWS = 150_000;
/** Held rows are written at least this often, so the tables (and a restart's replay) stay close behind. */
export const FLUSH_EVERY_MS = 1_000;
/** Times a reader waits for the background steps before it writes what is left itself. */
const SETTLE_ROUNDS = 4;

/** A commit's rows as journaled: each part and the id of its `row_journal` entry. */
export type Journaled = readonly { rows: Rows; id: number }[];

/** Held rows that one transaction writes, with the journal entries they came from (every id up to `upTo`). */
interface Slice {
  /** Rows merged from small commits, or a big commit's part as journaled (merging it would gain little). */
  rows: RowsMerger | Rows;
  upTo: number;
  /**
   * 0 while it takes rows; once sealed (it takes no more: written by the next background step, or by any
   * flush), its number in order of sealing, so a reader can wait for the slices sealed before it.
   */
  seq: number;
}

/**
 * Bucket rows written behind their commit. A commit's transaction appends its rows to `row_journal` (one
 * entry per `SLICE_ROWS`: a few pages at the end of one table, where upserting them dirtied a page per series
 * and route); once it has committed they are held in memory and merged with the rows of the commits before
 * (each bucket once, its sketch decoded once per commit and encoded once). A slice of held rows is written
 * to the tables with the deletion of the journal entries it came from in one transaction, oldest first, so
 * every committed row is counted exactly once: in the tables, or in the journal, which `replay` writes at the
 * next start after a crash.
 *
 * Sealed slices are written in the background, one per step (`writeSealed`, run once per turn of the event
 * loop by the store), so a Collector's export of 80,000 rows does not hold the event loop for its whole write.
 * Readers of the tables first wait (`settle`) until at most one sealed slice is left, then `flush` the rest.
 *
 * Why: a live service's requests land in the same few buckets, and each commit upserted them again (a
 * SQLite statement, a stored sketch decoded and encoded, a dirtied page); see docs/performance.md.
 */
export function writeBehind(db: Database.Database, writeRows: (rows: Rows) => void) {
  const insert = db.prepare<[Buffer]>('INSERT INTO row_journal (rows) VALUES (?)');
  const remove = db.prepare<[number]>('DELETE FROM row_journal WHERE id <= ?');
  const entries = db.prepare<[], [number, Buffer]>('SELECT id, rows FROM row_journal ORDER BY id').raw();
  const write = db.transaction((rows: Rows, upTo: number) => {
    writeRows(rows);
    remove.run(upTo);
  });
  /** Held rows, oldest first; only the last may be unsealed. */
  const slices: Slice[] = [];
  let sealedSeq = 0;
  /** The number of the newest slice written (slices are written in order). */
  let writtenSeq = 0;
  const waiting: { seq: number; resolve: () => void }[] = [];
  /** The last background write failed (a full disk): readers do not wait for steps that cannot write. */
  let failing = false;

  const sealed = (slice: Slice | undefined) => slice !== undefined && slice.seq > 0;
  const seal = (slice: Slice) => {
    if (!sealed(slice)) slice.seq = ++sealedSeq;
  };
  const hold = (rows: Rows, id: number) => {
    const count = rowCount(rows);
    let last = slices.at(-1);
    const open = last && !sealed(last) && last.rows instanceof RowsMerger ? last.rows : null;
    if (open && (open.size + count > SLICE_ROWS || count >= SLICE_ROWS / 2)) seal(last!);
    if (count >= SLICE_ROWS / 2) {
      slices.push({ rows, upTo: id, seq: ++sealedSeq });
      return;
    }
    if (!last || sealed(last)) slices.push((last = { rows: new RowsMerger(), upTo: 0, seq: 0 }));
    const merger = last.rows as RowsMerger;
    merger.add(rows);
    last.upTo = id;
    if (merger.size >= SLICE_ROWS) seal(last);
  };
  /** Writes the oldest slice (sealing it). If that fails (a full disk), it stays held for the next try. */
  const writeOldest = (): void => {
    const slice = slices[0]!;
    seal(slice);
    // `finish` leaves the merger as it was: if the write fails, the rows stay held as they were.
    write.immediate(slice.rows instanceof RowsMerger ? slice.rows.finish() : slice.rows, slice.upTo);
    slices.shift();
    writtenSeq = slice.seq;
    failing = false;
    release(false);
  };
  const release = (all: boolean) => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      const w = waiting[i]!;
      if (!all && w.seq > writtenSeq) continue;
      waiting.splice(i, 1);
      w.resolve();
    }
  };
  const heldRows = () =>
    slices.reduce((n, s) => n + (s.rows instanceof RowsMerger ? s.rows.size : rowCount(s.rows)), 0);
  /** Writes every held row now (throws if that fails: what is left stays held). */
  const flush = (): void => {
    while (slices.length > 0) writeOldest();
  };
  const flushQuietly = (): void => {
    try {
      flush();
    } catch {
      // Held, and journaled: tried again by the next flush (a read, the timer, the next commit). Readers
      // waiting for a slice answer without it, as this one does.
      failing = true;
      release(true);
    }
  };

  return {
    /** Before a commit's transaction: writes the oldest held rows while they are too many (throws if that fails). */
    beforeCommit(): void {
      while (slices.length > 0 && heldRows() >= MAX_HELD_ROWS) writeOldest();
    },
    /** Inside a commit's transaction: journals its rows, in entries of at most `SLICE_ROWS`. */
    journal(rows: readonly Rows[]): Journaled {
      const out: { rows: Rows; id: number }[] = [];
      for (const r of rows) {
        refuseUnknowns(r);
        for (const part of sliceRows(r, SLICE_ROWS)) {
          out.push({ rows: part, id: Number(insert.run(encodeRows(part)).lastInsertRowid) });
        }
      }
      return out;
    },
    /** After the commit that journaled them: holds its rows, to be written by a later step or flush. */
    committed(journaled: Journaled): void {
      for (const { rows, id } of journaled) hold(rows, id);
    },
    /** Seals the slice still taking rows, so the next steps write it (the timer's: rows stay close behind). */
    sealAll(): void {
      const last = slices.at(-1);
      if (last) seal(last);
    },
    /**
     * One background step: writes the oldest slice if it is sealed. Whether it wrote one. A failure (a full
     * disk) leaves it held and releases every reader waiting, who then answer without it (see `flush`).
     */
    writeSealed(): boolean {
      if (!sealed(slices[0])) return false;
      try {
        writeOldest();
        return true;
      } catch {
        failing = true;
        release(true);
        return false;
      }
    },
    /**
     * Resolves once at most one sealed slice is left to write (or background writes fail), so that a reader's
     * `flush` then writes little. Bounded: under a stream of big commits it stops waiting after a few rounds.
     */
    async settle(): Promise<void> {
      for (let round = 0; round < SETTLE_ROUNDS && !failing; round++) {
        const waitFor = slices.filter(sealed);
        if (waitFor.length <= 1) return;
        const seq = waitFor.at(-2)!.seq;
        await new Promise<void>((resolve) => waiting.push({ seq, resolve }));
      }
    },
    flush,
    /** `flush`, leaving a failure (a full disk) to the next try: the rows stay held and journaled. */
    flushQuietly,
    /** At start-up: writes the rows of commits a crash left in the journal. */
    replay(): void {
      for (const [id, blob] of entries.iterate()) hold(decodeRows(blob), id);
      flush();
    },
  };
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
