import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSketch } from '../../sketch/codec.ts';
import { RowsBuilder } from '../rows.ts';
import { checkoutSeries, encodedSketch } from '../test-rows.ts';
import { migrate } from './migrations.ts';
import { openSqliteStore, type SqliteStore } from './sqlite-store.ts';
import { MAX_HELD_ROWS, SLICE_ROWS, writeBehind } from './write-behind.ts';

const TEN_S = 1;
const T = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

describe('rows written behind their commit', () => {
  const open: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => {});
  });
  const openStore = (file: string) => {
    const store = openSqliteStore(file);
    open.push(store);
    return store;
  };
  const newFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-behind-')), 'a.db');
  /** The database file as a `kill -9` would leave it now: the file and its WAL, copied while open. */
  const crashImage = (file: string) => {
    const copy = newFile();
    fs.copyFileSync(file, copy);
    fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
    return copy;
  };
  const journaled = (store: SqliteStore) =>
    store.db.prepare<[], number>('SELECT count(*) FROM row_journal').pluck().get();

  /** One commit: `values` in series 1's 10 s bucket at `t`, and the same as checkout's /pay RED row. */
  const commit = async (store: SqliteStore, t: number, values: number[], first = false) => {
    const appender = store.appender();
    if (first) appender.addSeries(checkoutSeries(1));
    appender.seeService('checkout', { first: t, last: t });
    const rows = new RowsBuilder(4);
    const sum = values.reduce((a, b) => a + b, 0);
    const stats = { count: values.length, sum, min: Math.min(...values), max: Math.max(...values), last: 0, lastT: t };
    rows.sample(TEN_S, 1, t, stats, encodedSketch(...values));
    rows.red(TEN_S, 'checkout', '/pay', t, values.length, 1, encodedSketch(...values));
    appender.addRows(rows.finish());
    await appender.commit();
  };
  const counts = async (store: SqliteStore) => {
    const samples = await store.readSamples(TEN_S, [1], 0, T * 2);
    const red = await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 });
    return {
      samples: samples.map((b) => [b.t, b.count, b.sum, decodeSketch(b.sketch!).count]),
      red: red.map((b) => [b.t, b.count, b.errors, decodeSketch(b.sketch).count]),
    };
  };
  const expected = {
    samples: [
      [T, 5, 150, 5],
      [T + 10_000, 1, 60, 1],
    ],
    red: [
      [T, 5, 2, 5],
      [T + 10_000, 1, 1, 1],
    ],
  };
  const commitThree = async (store: SqliteStore) => {
    await commit(store, T, [10, 20], true);
    await commit(store, T, [30, 40, 50]);
    await commit(store, T + 10_000, [60]);
  };

  it('keeps committed rows in the journal until written; a crash before then loses none and counts none twice', async () => {
    const file = newFile();
    const store = openStore(file);
    await commitThree(store);
    // Committed, not yet in their tables: only journaled.
    expect(journaled(store)).toBe(3);
    const crashed = crashImage(file);

    const restarted = openStore(crashed);
    expect(journaled(restarted)).toBe(0);
    expect(await counts(restarted)).toEqual(expected);
    await restarted.close();
    // Started again: the replayed rows are in their tables once.
    expect(await counts(openStore(crashed))).toEqual(expected);
  });

  it('writes held rows and empties the journal in one step: a crash after it replays nothing', async () => {
    const file = newFile();
    const store = openStore(file);
    await commitThree(store);
    // A read writes what is held first, so it sees every committed row.
    expect(await counts(store)).toEqual(expected);
    expect(journaled(store)).toBe(0);

    expect(await counts(openStore(crashImage(file)))).toEqual(expected);
  });

  /** One commit of `n` RED rows of checkout's /pay, one a 10 s bucket from T on, each a request of 10 ms. */
  const commitMany = async (store: SqliteStore, n: number) => {
    const appender = store.appender();
    appender.seeService('checkout', { first: T, last: T + n * 10_000 });
    const rows = new RowsBuilder(4);
    for (let i = 0; i < n; i++) rows.red(TEN_S, 'checkout', '/pay', T + i * 10_000, 1, i % 2, encodedSketch(10));
    appender.addRows(rows.finish());
    await appender.commit();
  };
  const redTotals = async (store: SqliteStore) => {
    const red = await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 });
    return {
      rows: red.length,
      requests: red.reduce((n, b) => n + b.count, 0),
      errors: red.reduce((n, b) => n + b.errors, 0),
    };
  };
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('writes a commit bigger than a slice a slice per turn of the event loop; a crash between counts every row once', async () => {
    const file = newFile();
    const store = openStore(file);
    const n = 3 * SLICE_ROWS + 10;
    await commitMany(store, n);
    // Journaled as four entries, written by four steps: other work runs between them.
    const seen: number[] = [];
    for (let turn = 0; turn < 6; turn++) {
      seen.push(journaled(store) ?? -1);
      if (turn === 1) {
        const restarted = openStore(crashImage(file));
        expect(await redTotals(restarted)).toEqual({ rows: n, requests: n, errors: Math.floor(n / 2) });
        await restarted.close();
      }
      await nextTurn();
    }
    expect(seen[0]).toBe(4);
    expect(new Set(seen).size).toBeGreaterThan(2);
    // The last, small part waits to merge with the next commits' rows, for the timer or a read.
    expect(seen.at(-1)).toBe(1);
    expect(await redTotals(store)).toEqual({ rows: n, requests: n, errors: Math.floor(n / 2) });
  });

  it('a read while a big commit is being written lets the steps write it, a slice a turn, and sees every row', async () => {
    const store = openStore(newFile());
    const n = 4 * SLICE_ROWS;
    await commitMany(store, n);
    expect(journaled(store)).toBe(4);
    let done = false;
    const read = redTotals(store).finally(() => {
      done = true;
    });
    const seen: number[] = [];
    while (!done) {
      seen.push(journaled(store) ?? -1);
      await nextTurn();
    }
    // Written one slice at a time while the read waited, not all four in one go by the read.
    expect(seen.slice(0, 3)).toEqual([4, 3, 2]);
    expect(await read).toEqual({ rows: n, requests: n, errors: n / 2 });
    expect(journaled(store)).toBe(0);
  });

  it('a read after close fails rather than waits', async () => {
    const store = openStore(newFile());
    await commitMany(store, 3 * SLICE_ROWS);
    await store.close();
    await expect(redTotals(store)).rejects.toThrow(/closed/);
  });

  it('rows of a service held when it is deleted are not written after it', async () => {
    const store = openStore(newFile());
    await commitThree(store);
    expect(await store.deleteService('checkout')).toBe(true);
    store.flushRows();
    expect(await counts(store)).toEqual({ samples: [], red: [] });
  });
});

describe('held rows that cannot be written', () => {
  it('stay held while commits go on, up to a bound; past it a commit fails with the write error, and succeeds once rows can be written', async () => {
    const db = new Database(':memory:');
    migrate(db);
    let full = true;
    let written = 0;
    const behind = writeBehind(db, (rows) => {
      // As SQLite fails a write on a full disk.
      if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      written += rows.red[1]!.sketchEnds.length;
    });
    const commitRows = (n: number) => {
      const rows = new RowsBuilder(4);
      for (let i = 0; i < 10_000; i++)
        rows.red(1, 'checkout', '/pay', (n * 10_000 + i) * 10_000, 1, 0, encodedSketch(5));
      const finished = rows.finish();
      behind.beforeCommit();
      behind.committed(db.transaction(() => behind.journal([finished]))());
    };
    const journaled = () => db.prepare('SELECT count(*) FROM row_journal').pluck().get();
    const held = MAX_HELD_ROWS / 10_000;
    for (let n = 0; n < held; n++) commitRows(n);
    expect(() => commitRows(held)).toThrow(/disk is full/);
    // Each commit journaled as entries of SLICE_ROWS.
    expect(journaled()).toBe((held * 10_000) / SLICE_ROWS);

    // A reader does not wait for background writes that fail: it answers without the held rows.
    expect(behind.writeSealed()).toBe(false);
    await behind.settle();

    full = false;
    commitRows(held);
    // Before it, only the oldest slice, enough to be under the bound; the rest is left to the steps.
    expect(written).toBe(SLICE_ROWS);
    behind.flush();
    expect(written).toBe(MAX_HELD_ROWS + 10_000);
    expect(journaled()).toBe(0);
  });
});
