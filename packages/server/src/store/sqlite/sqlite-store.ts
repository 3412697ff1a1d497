import type Database from 'better-sqlite3';
import { type Collected, collectingAppender } from '../collecting-appender.ts';
import { forEachRed, forEachSample } from '../rows.ts';
import type { BuildPart, Store } from '../store.ts';
import { backgroundSteps } from './background-steps.ts';
import { cumulativeTable } from './cumulative-table.ts';
import { openDatabaseFile } from './database-file.ts';
import { metaTables } from './meta-tables.ts';
import { migrate } from './migrations.ts';
import { redTables } from './red-tables.ts';
import { sampleTables } from './sample-tables.ts';
import { seriesTables } from './series-tables.ts';
import { registerSqlFunctions } from './sql-functions.ts';
import { FLUSH_EVERY_MS, writeBehind } from './write-behind.ts';

/** The SQLite store with its connection, so the other stores of this backend (alerts) share one file and writer. */
export interface SqliteStore extends Store {
  readonly db: Database.Database;
  /** Writes the rows held behind their commits to their tables now (see write-behind.ts). */
  flushRows(): void;
}

/**
 * The embedded store: one SQLite file in WAL mode. Each table family's SQL is in its own file (series,
 * samples, RED rollups, cumulative state, meta and dirty marks); this file joins them into the `Store`.
 */
export function openSqliteStore(file: string): SqliteStore {
  const { db, release } = openDatabaseFile(file, migrate);
  registerSqlFunctions(db);
  const series = seriesTables(db);
  const samples = sampleTables(db);
  const red = redTables(db);
  const cumulative = cumulativeTable(db);
  const meta = metaTables(db);

  // Bucket rows are written behind their commit (write-behind.ts): the commit journals them, background steps
  // write them to their tables a slice at a time, and every read of those tables waits for them or flushes.
  const behind = writeBehind(db, (rows) => {
    forEachSample(rows, samples.upsert);
    forEachRed(rows, red.upsert);
    samples.endCommit();
  });
  behind.replay();
  const moveStep = db.transaction(samples.moveStep);
  // A due move out of staging first (it keeps the staged rows few), then the oldest sealed slice of held rows.
  const steps = backgroundSteps(() => {
    try {
      if (samples.moveDue() && moveStep.immediate()) return true;
    } catch {
      // Left due: the next move step takes the same range with the next (a full disk: tried on the next kick).
    }
    return behind.writeSealed();
  });
  const flushTimer = setInterval(() => {
    behind.sealAll();
    steps.kick();
  }, FLUSH_EVERY_MS).unref();

  // The whole write runs synchronously inside `commit`, in one `BEGIN IMMEDIATE` transaction rolled back on
  // any error; in WAL mode a committed transaction survives the process being killed.
  const write = db.transaction((c: Collected) => {
    for (const s of c.series) series.insert(s);
    for (const [name, seen] of c.seen) series.seeService(name, seen);
    for (const state of c.cumulative) cumulative.save(state);
    for (const [tier, t] of c.dirty) meta.markDirty(tier, t);
    return behind.journal(c.rows);
  });
  const commit = (c: Collected) => {
    try {
      behind.beforeCommit();
      behind.committed(write.immediate(c));
    } finally {
      // Even after a failed commit: what is sealed gets written (and readers waiting for it answer).
      steps.kick();
    }
  };
  const gate = callGate();
  const call = gate.run;
  // A read lets the background steps write all but the last sealed slice, then writes the rest itself, so it sees
  // every committed row without writing a big commit's rows in one go. One that cannot write them (a full disk)
  // still answers, without the rows still held: writes are refused meanwhile (503), the rows stay journaled.
  // In flight from its start, so `close` waits for it (the steps run until then) and a read after `close` fails.
  const read = async <T>(work: () => T) => {
    const leave = gate.enter();
    try {
      await behind.settle();
      behind.flushQuietly();
      return work();
    } finally {
      leave();
    }
  };
  const deleteService = db.transaction((name: string) => {
    samples.forgetService(name);
    red.forgetService(name);
    cumulative.forgetService(name);
    return series.forgetService(name);
  });
  const expire = db.transaction(
    (tier: number, cutoff: number, seriesIds: readonly number[], services: readonly string[]) =>
      samples.expire(tier, cutoff, seriesIds) + red.expire(tier, cutoff, services),
  );
  const buildBuckets = db.transaction((tier: number, from: number, to: number, part: BuildPart) => {
    if (part.kind === 'series') samples.build(tier, from, to, part.fromId, part.toId);
    else red.build(tier, from, to);
  });

  return {
    db,
    flushRows: behind.flush,
    mergesRows: true,
    async *loadSeries() {
      // Counted as in flight until the last row, so `close` never closes the statement under the iterator.
      const leave = gate.enter();
      try {
        yield* series.load();
      } finally {
        leave();
      }
    },
    loadCumulativeState: () => call(cumulative.load),
    forgetCumulativeBefore: (time) => call(() => cumulative.forgetBefore(time)),
    appender: () => collectingAppender(commit),
    readRed: (r) => read(() => red.read(r)),
    readSamples: (tier, seriesIds, from, to) => read(() => samples.read(tier, seriesIds, from, to)),
    services: () => call(() => series.services()),
    deleteService: (name) =>
      call(() => {
        // Written first, so no held row of the service is written after it is gone.
        behind.flush();
        return deleteService.immediate(name);
      }),
    expire: (tier, cutoff, seriesIds, services) => read(() => expire.immediate(tier, cutoff, seriesIds, services)),
    buildBuckets: (tier, from, to, part) => read(() => buildBuckets.immediate(tier, from, to, part)),
    markBuilt: (tier, t) => call(() => meta.markBuilt(tier, t)),
    loadDirty: () => call(meta.loadDirty),
    getMeta: (key) => call(() => meta.getMeta(key)),
    setMeta: (key, value) => call(() => meta.setMeta(key, value)),
    sizeBytes: () =>
      call(() => {
        const row = db
          .prepare<[], { bytes: number }>(
            'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()',
          )
          .get();
        return row?.bytes ?? 0;
      }),
    close: () =>
      gate.close(() => {
        clearInterval(flushTimer);
        steps.stop();
        // What cannot be written (a full disk) is left journaled: written by the next start's replay.
        behind.flushQuietly();
        // Not needed for correctness (reads take both tables), so a failure (a full disk) must not keep the
        // file open; the next run then starts with the staging table empty.
        try {
          db.transaction(samples.moveAll).immediate();
        } catch {
          // Left staged: read from both tables, moved by the next run.
        }
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        release();
      }),
  };
}

/**
 * Counts calls in flight so `close` waits for them (a series load still iterating) and refuses calls made
 * once it began, as a network store must; SQLite's other calls finish inside the tick they start in.
 */
function callGate() {
  let inFlight = 0;
  let closing: Promise<void> | null = null;
  let idle: (() => void) | null = null;
  const enter = (): (() => void) => {
    if (closing) throw new Error('the store is closed');
    inFlight++;
    return () => {
      if (--inFlight === 0) idle?.();
    };
  };
  return {
    enter,
    /** SQLite's work, done synchronously; its result (or throw) as a settled promise. */
    async run<T>(work: () => T): Promise<T> {
      const leave = enter();
      try {
        return work();
      } finally {
        leave();
      }
    },
    close(finish: () => void): Promise<void> {
      closing ??= (async () => {
        if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
        finish();
      })();
      return closing;
    },
  };
}
