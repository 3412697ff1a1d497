import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeSketch } from '../../sketch/codec.ts';
import { Sketch } from '../../sketch/sketch.ts';
import { RowsBuilder } from '../rows.ts';
import { checkoutSeries, encodedSketch } from '../test-rows.ts';
import { openSqliteStore, type SqliteStore } from './sqlite-store.ts';
import { MOVE_EVERY_COMMITS, MOVE_PART_ROWS } from './staged-samples.ts';

const TEN_S = 1;
const MINUTE = 2;
const T = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

describe('the staging table of the 10 s per-series tier', () => {
  const open: SqliteStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => {});
  });
  const openStore = (file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-staged-')), 'a.db')) => {
    const store = openSqliteStore(file);
    open.push(store);
    return { store, file };
  };
  const rowsIn = (store: SqliteStore, table: string) =>
    store.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get();

  /** One commit of `values` as one 10 s bucket of series 1 at `t`, written to the tables. */
  const write = async (store: SqliteStore, t: number, values: number[], first = false) => {
    const appender = store.appender();
    if (first) appender.addSeries(checkoutSeries(1));
    appender.seeService('checkout', { first: t, last: t });
    const rows = new RowsBuilder(4);
    const stats = {
      count: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      min: Math.min(...values),
      max: Math.max(...values),
      last: values.at(-1)!,
      lastT: t + values.length,
    };
    rows.sample(TEN_S, 1, t, stats, encodedSketch(...values));
    appender.addRows(rows.finish());
    await appender.commit();
    // Each commit's rows reach the tables by themselves (held otherwise: see write-behind.ts).
    store.flushRows();
  };
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  /** Enough commits of a newer bucket that the periodic move is due, and the turns that make it (split, move). */
  const forceMove = async (store: SqliteStore, newer: number) => {
    for (let i = 0; i < MOVE_EVERY_COMMITS; i++) await write(store, newer, [1]);
    for (let turn = 0; turn < 3; turn++) await nextTurn();
  };

  it('reads a bucket written before and after a move as one, counts and percentiles exact', async () => {
    const { store } = openStore();
    const before = [10, 20, 30, 40];
    const after = [5, 500, 50];
    await write(store, T, before, true);
    expect(rowsIn(store, 'recent_samples_10000')).toBe(1);
    await forceMove(store, T + 10_000);
    // Moved: only the newest bucket stays staged.
    expect(rowsIn(store, 'samples_10000')).toBe(1);
    await write(store, T, after);
    expect(rowsIn(store, 'recent_samples_10000')).toBe(2);

    const buckets = await store.readSamples(TEN_S, [1], T, T + 10_000);
    expect(buckets).toHaveLength(1);
    // `last` is the newest by its time, not by write order: the first write's lastT is later.
    const all = [...before, ...after];
    expect(buckets[0]).toMatchObject({ seriesId: 1, t: T, count: 7, sum: 655, min: 5, max: 500, last: 40 });
    const expected = new Sketch();
    for (const v of all) expected.add(v);
    const sketch = decodeSketch(buckets[0]!.sketch!);
    expect(sketch.count).toBe(7);
    for (const q of [0.5, 0.9, 0.99]) expect(sketch.quantile(q)).toBe(expected.quantile(q));
    // The newer bucket, staged only, reads too, in time order after the first.
    expect((await store.readSamples(TEN_S, [1], T, T + 20_000)).map((b) => [b.t, b.count])).toEqual([
      [T, 7],
      [T + 10_000, MOVE_EVERY_COMMITS],
    ]);
  });

  it('moves many rows a range of series per turn of the event loop, each read meanwhile exact', async () => {
    const { store } = openStore();
    const series = 2 * MOVE_PART_ROWS + 100;
    const appender = store.appender();
    appender.seeService('checkout', { first: T, last: T });
    const rows = new RowsBuilder(4);
    const stats = { count: 2, sum: 30, min: 10, max: 20, last: 20, lastT: T + 1 };
    for (let id = 1; id <= series; id++) rows.sample(TEN_S, id, T, stats, encodedSketch(10, 20));
    appender.addRows(rows.finish());
    await appender.commit();
    store.flushRows();
    // A newer bucket written often enough that the move of every row at T is due.
    for (let i = 0; i < MOVE_EVERY_COMMITS; i++) await write(store, T + 10_000, [1], i === 0);

    const staged: number[] = [];
    const probe = [1, MOVE_PART_ROWS, MOVE_PART_ROWS + 1, series];
    for (let turn = 0; turn < 5; turn++) {
      staged.push(rowsIn(store, 'recent_samples_10000') ?? -1);
      const read = await store.readSamples(TEN_S, probe, T, T + 10_000);
      expect(read.map((b) => [b.seriesId, b.count, decodeSketch(b.sketch!).count])).toEqual(
        probe.map((id) => [id, 2, 2]),
      );
      await nextTurn();
    }
    // Three parts, then only the newest bucket is left staged.
    expect(staged[0]).toBe(series + 1);
    expect(staged.at(-1)).toBe(1);
    expect(new Set(staged).size).toBeGreaterThan(2);
    expect(rowsIn(store, 'samples_10000')).toBe(series);
  });

  it('rebuilds the minute tier from staged rows too', async () => {
    const { store } = openStore();
    await write(store, T, [10, 20], true);
    await forceMove(store, T + 10_000);
    await write(store, T, [30]);
    await write(store, T + 20_000, [40, 50]);
    expect(rowsIn(store, 'recent_samples_10000')).toBe(3);

    await store.buildBuckets(MINUTE, T, T + 60_000, { kind: 'series', fromId: 0, toId: 1_000 });
    const [minute] = await store.readSamples(MINUTE, [1], T, T + 60_000);
    expect(minute).toMatchObject({ t: T, count: 5 + MOVE_EVERY_COMMITS, min: 1, max: 50 });
    expect(decodeSketch(minute!.sketch!).count).toBe(5 + MOVE_EVERY_COMMITS);
  });

  it('expires and forgets staged rows with the rest', async () => {
    const { store } = openStore();
    await write(store, T, [10], true);
    await forceMove(store, T + 10_000);
    await write(store, T, [20]);
    await write(store, T + 20_000, [30]);

    expect(await store.expire(TEN_S, T + 20_000, [1], [])).toBe(3);
    expect((await store.readSamples(TEN_S, [1], 0, T * 2)).map((b) => b.t)).toEqual([T + 20_000]);
    expect(await store.deleteService('checkout')).toBe(true);
    expect(rowsIn(store, 'recent_samples_10000')).toBe(0);
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
  });

  it('moves every staged row on close, and reads rows a crash left staged', async () => {
    const { store, file } = openStore();
    await write(store, T, [10], true);
    await write(store, T + 10_000, [20]);
    expect(rowsIn(store, 'recent_samples_10000')).toBe(2);
    await store.close();
    const { store: reopened } = openStore(file);
    expect(rowsIn(reopened, 'recent_samples_10000')).toBe(0);
    expect(rowsIn(reopened, 'samples_10000')).toBe(2);

    // As a crash leaves them: the same bucket in both tables, read as one.
    reopened.db.exec(`INSERT INTO recent_samples_10000 SELECT * FROM samples_10000 WHERE t = ${T}`);
    expect(await reopened.readSamples(TEN_S, [1], 0, T * 2)).toMatchObject([
      { t: T, count: 2, sum: 20 },
      { t: T + 10_000, count: 1 },
    ]);
  });
});
