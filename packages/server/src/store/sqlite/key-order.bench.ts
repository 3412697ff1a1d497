import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, bench, describe } from 'vitest';

// `npm run bench:micro`: what one commit of per-series bucket rows costs SQLite by the table's key order (a
// design experiment behind docs/performance.md, "Where a native commit's SQLite time goes"). Each commit
// upserts one 10 s bucket of 400 series (a 200-byte sketch stand-in merged by a JavaScript function, as
// `sketch_merge` is), each the next bucket in time (history arriving in order), on the server's pragmas:
// `samples_<res>` as stored, keyed by (series, t), against keyed by (t, series), with and without an index
// on (series, t) for the per-series reads. Then per-series reads of an hour, as the server makes them.
const SERIES = 400;
const SKETCH = Buffer.alloc(200, 7);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-key-order-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function layout(name: string, key: string, index: boolean) {
  const db = new Database(path.join(dir, `${name}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -2000');
  db.function('merge', (a: Buffer, b: Buffer) => (a.length >= b.length ? a : b));
  db.exec(`CREATE TABLE s (series_id INTEGER NOT NULL, t INTEGER NOT NULL, count INTEGER NOT NULL, sketch BLOB,
           PRIMARY KEY (${key})) WITHOUT ROWID`);
  if (index) db.exec('CREATE INDEX s_by_series ON s (series_id, t)');
  const upsert = db.prepare(`INSERT INTO s VALUES (?, ?, ?, ?) ON CONFLICT (series_id, t) DO UPDATE
    SET count = count + excluded.count, sketch = merge(sketch, excluded.sketch)`);
  const read = db.prepare('SELECT t, count, sketch FROM s WHERE series_id = ? AND t >= ? AND t < ?');
  let bucket = 0;
  const commit = db.transaction((t: number) => {
    for (let id = 0; id < SERIES; id++) upsert.run(id, t, 3, SKETCH);
  });
  // An hour of buckets first, so commits land in a table of realistic depth and reads have an hour to read.
  for (; bucket < 360; bucket++) commit(bucket * 10_000);
  return {
    db,
    commit: () => commit(bucket++ * 10_000),
    readHour: () => {
      for (let id = 0; id < SERIES; id += 40) read.all(id, 0, 3_600_000);
    },
  };
}

/**
 * Commits write a small time-first table; every `every` commits its rows move to the series-first table in
 * one statement (sorted by series, so each series' page is dirtied once per move, not once per commit).
 * Reads would take both tables; here they read the series-first one after a move.
 */
function staged(every: number) {
  const main = layout(`staged-${every}`, 'series_id, t', false);
  const db = main.db;
  db.exec(`CREATE TABLE recent (series_id INTEGER NOT NULL, t INTEGER NOT NULL, count INTEGER NOT NULL, sketch BLOB,
           PRIMARY KEY (t, series_id)) WITHOUT ROWID`);
  const upsert = db.prepare(`INSERT INTO recent VALUES (?, ?, ?, ?) ON CONFLICT (t, series_id) DO UPDATE
    SET count = count + excluded.count, sketch = merge(sketch, excluded.sketch)`);
  const move = db.prepare(`INSERT INTO s SELECT series_id, t, count, sketch FROM recent WHERE true ORDER BY series_id, t
    ON CONFLICT (series_id, t) DO UPDATE SET count = count + excluded.count, sketch = merge(sketch, excluded.sketch)`);
  const clear = db.prepare('DELETE FROM recent');
  let bucket = 360;
  let commits = 0;
  const commit = db.transaction((t: number) => {
    for (let id = 0; id < SERIES; id++) upsert.run(id, t, 3, SKETCH);
    if (++commits % every === 0) {
      move.run();
      clear.run();
    }
  });
  return { commit: () => commit(bucket++ * 10_000), readHour: main.readHour };
}

const layouts = {
  '(series, t), as stored': layout('series-first', 'series_id, t', false),
  '(t, series)': layout('time-first', 't, series_id', false),
  '(t, series) + index (series, t)': layout('time-first-indexed', 't, series_id', true),
  '(t, series) staged, moved to (series, t) every 10 commits': staged(10),
};

describe('a commit of one 10 s bucket of 400 series', () => {
  for (const [name, l] of Object.entries(layouts)) bench(name, l.commit);
});

describe('reading an hour of 10 series, one query each', () => {
  for (const [name, l] of Object.entries(layouts)) bench(name, l.readHour);
});
