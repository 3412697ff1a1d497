import { afterEach, describe, expect, it } from 'vitest';
import { decodeSketch } from '../../sketch/codec.ts';
import { RowsBuilder } from '../rows.ts';
import type { SeriesRecord } from '../store.ts';
import { checkoutSeries, encodedSketch } from '../test-rows.ts';
import type { PgStore } from './pg-store.ts';
import { postgresReachable } from './test-database.ts';
import { storesOnOneDatabase } from './test-stores.ts';

const T = 1_800_000_000_000;
const TEN_S = 1;
const HOUR = 3_600_000;

const reachable = await postgresReachable('the PostgreSQL store tests');

describe.runIf(reachable)('the PostgreSQL store, several instances on one database', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const instances = (n: number) => storesOnOneDatabase(n, cleanup, { now: () => T, connections: 3 });

  it('migrates once when instances start together', async () => {
    const [a] = await instances(3);
    const { rows } = await a!.pool.query<{ version: number }>('SELECT version FROM schema_migrations');
    expect(rows).toEqual([{ version: 1 }]);
  });

  it('adds up the counts and merges the sketches of two instances writing one series and second at once', async () => {
    const [a, b] = await instances(2);
    const commits = 20;
    // Each instance's registry numbers the new series provisionally (-1); the database gives it its id.
    // Instance a sees fast requests (10 ms), b slow ones (1000 ms): 3 a commit each, all in one bucket.
    const run = async (store: PgStore, ms: number) => {
      let id = -1;
      store.sharedSeries.onAssigned = (pairs) => void (id = pairs[0]![1]);
      for (let i = 0; i < commits; i++) {
        const appender = store.appender();
        if (i === 0) appender.addSeries(checkoutSeries(-1));
        const rows = new RowsBuilder(4);
        const sketch = encodedSketch(ms, ms, ms);
        rows.sample(TEN_S, id, T, stats(ms), sketch);
        rows.red(0, 'checkout', undefined, T, 3, ms > 100 ? 3 : 0, sketch);
        rows.red(TEN_S, 'checkout', '/pay', T, 3, ms > 100 ? 3 : 0, sketch);
        appender.addRows(rows.finish());
        await appender.commit();
      }
      return id;
    };
    const ids = new Set(await Promise.all([run(a!, 10), run(b!, 1000)]));
    expect(ids.size).toBe(1);
    const [id] = ids;
    const loaded: SeriesRecord[] = [];
    for await (const s of a!.loadSeries()) loaded.push(s);
    expect(loaded.map((s) => s.id)).toEqual([id]);

    const [bucket] = await b!.readSamples(TEN_S, [id!], 0, T * 2);
    expect(bucket).toMatchObject({ count: 6 * commits, min: 10, max: 1000 });
    const merged = decodeSketch(bucket!.sketch!);
    expect(merged.quantile(0.25)).toBeCloseTo(10, -1);
    expect(merged.quantile(0.75)).toBeCloseTo(1000, -2);
    for (const tier of [0, TEN_S] as const) {
      const red = await a!.readRed({ tier, services: ['checkout'], byRoute: tier === TEN_S, from: 0, to: T * 2 });
      expect(red).toHaveLength(1);
      expect(red[0]).toMatchObject({ count: 6 * commits, errors: 3 * commits });
      expect(decodeSketch(red[0]!.sketch).count).toBe(6 * commits);
    }
  });

  it('drops whole partitions past retention, and writes late data into a partition made on demand', async () => {
    const [store] = await instances(1);
    const partitionsOf = async (table: string) =>
      (
        await store!.pool.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = $1::regclass ORDER BY 1`,
          [table],
        )
      ).rows.map((r) => r.name);
    const old = T - 3 * HOUR;
    const appender = store!.appender();
    const rows = new RowsBuilder(4);
    rows.red(0, 'checkout', undefined, old, 1, 0, encodedSketch(5));
    rows.red(0, 'checkout', undefined, T, 1, 0, encodedSketch(5));
    appender.addRows(rows.finish());
    await appender.commit();
    const oldPartition = `red_service_1000_p${old - (old % 600_000)}`;
    expect(await partitionsOf('red_service_1000')).toContain(oldPartition);
    const inDefault = await store!.pool.query('SELECT * FROM red_service_1000_default');
    expect(inDefault.rows).toEqual([]);

    expect(await store!.expire(0, T - HOUR, [], [])).toBe(1);
    expect(await partitionsOf('red_service_1000')).not.toContain(oldPartition);
    const left = await store!.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 });
    expect(left.map((r) => r.t)).toEqual([T]);
  });

  it('moves rows the DEFAULT partition caught into the partition made for them', async () => {
    const [store] = await instances(1);
    const late = T - 5 * HOUR;
    await store!.pool.query(
      "INSERT INTO red_service_1000 (service, t, count, errors, sketch) VALUES ('checkout', $1, 2, 0, $2)",
      [late, encodedSketch(5, 6)],
    );
    const appender = store!.appender();
    const rows = new RowsBuilder(4);
    rows.red(0, 'checkout', undefined, late, 1, 1, encodedSketch(7));
    appender.addRows(rows.finish());
    await appender.commit();
    const [row] = await store!.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 });
    expect(row).toMatchObject({ t: late, count: 3, errors: 1 });
    expect((await store!.pool.query('SELECT * FROM red_service_1000_default')).rows).toEqual([]);
  });
});

function stats(ms: number) {
  return { count: 3, sum: 3 * ms, min: ms, max: ms, last: ms, lastT: T };
}
