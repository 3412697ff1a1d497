import type pg from 'pg';
import { type Collected, collectingAppender } from '../collecting-appender.ts';
import { forEachBucketStart } from '../rows.ts';
import type { DirtyRow, SeriesRecord, SharedSeries, Store } from '../store.ts';
import { buildBuckets } from './bucket-build.ts';
import { mergeInto } from './bucket-merge.ts';
import { expireRows, forgetServiceRows, readRed, readSamples } from './bucket-reads.ts';
import { bucketTables, groupRows } from './bucket-rows.ts';
import { inTransaction, openPool } from './connection.ts';
import { migrate } from './migrations.ts';
import { Partitions } from './partitions.ts';
import {
  forgetService,
  loadCumulative,
  loadSeries,
  saveCumulative,
  seeServices,
  services,
  upsertSeries,
} from './series-tables.ts';

/** The PostgreSQL store with its pool, so the other stores of this backend (alerts) share it. */
export interface PgStore extends Store {
  readonly pool: pg.Pool;
  /** The database assigns series ids: instances sharing it must agree on them. */
  sharedSeries: SharedSeries;
}

export interface PgStoreOptions {
  now?: () => number;
  /** Connections in the pool. */
  connections?: number;
}

/**
 * The store on a PostgreSQL server, for several instances sharing one database. Rollup tables are partitioned
 * by time (partitions.ts), bucket writes merge into what another instance wrote (bucket-merge.ts), and the
 * database assigns series ids. Each table family's SQL is in its own file; this one joins them into the `Store`.
 */
export async function openPgStore(url: string, { now = Date.now, connections }: PgStoreOptions = {}): Promise<PgStore> {
  const pool = openPool(url, connections);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const partitions = new Partitions(pool);
  await partitions.open(now());
  const tables = bucketTables();

  const write = async (c: Collected): Promise<void> => {
    // The ids the rows were given, read before the first await: another write may renumber a record meanwhile.
    const rowIds = c.series.map((r) => r.id);
    // Partitions first, outside the transaction: creating one locks its parent table.
    const times = new Map<number, number[]>();
    const note = (tier: number, t: number) => void (times.get(tier) ?? times.set(tier, []).get(tier)!).push(t);
    for (const rows of c.rows) forEachBucketStart(rows, note);
    for (const [tier, ts] of times) await partitions.ensure(tier, ts);

    const assigned = await inTransaction(pool, async (client) => {
      const ids = await upsertSeries(client, c.series);
      const byOldId = new Map(rowIds.map((id, i) => [id, ids[i]!]));
      await seeServices(client, c.seen);
      await saveCumulative(client, c.cumulative);
      if (c.dirty.length > 0) {
        // DISTINCT: a group commit can mark one bucket once per request, and ON CONFLICT DO UPDATE refuses to
        // touch a row twice in one statement; one commit is one marking.
        await client.query(
          'INSERT INTO dirty_buckets (tier, t) SELECT DISTINCT * FROM unnest($1::int2[], $2::int8[]) ON CONFLICT (tier, t) DO UPDATE SET marks = dirty_buckets.marks + 1',
          [c.dirty.map(([tier]) => tier), c.dirty.map(([, t]) => t)],
        );
      }
      const seriesId = (id: number) => {
        const assigned = byOldId.get(id);
        if (assigned !== undefined) return assigned;
        if (id < 0) throw new Error(`rows name provisional series id ${id}, not added in this commit`);
        return id;
      };
      for (const [table, rows] of groupRows(c.rows, tables, seriesId)) await mergeInto(client, table, rows);
      return c.series.map((r, i): [SeriesRecord, number] => [r, ids[i]!]).filter(([r, id]) => r.id !== id);
    });
    if (assigned.length > 0) store.sharedSeries.onAssigned?.(assigned);
  };

  const store: PgStore = {
    pool,
    sharedSeries: { after: (id) => loadSeries(pool, id), onAssigned: null },
    loadSeries: () => loadSeries(pool),
    loadCumulativeState: () => loadCumulative(pool),
    forgetCumulativeBefore: async (time) =>
      (await pool.query('DELETE FROM cumulative_state WHERE time < $1', [time])).rowCount ?? 0,
    appender: () => collectingAppender(write),
    readRed: (read) => readRed(pool, read),
    readSamples: (tier, seriesIds, from, to) => readSamples(pool, tier, seriesIds, from, to),
    services: () => services(pool),
    deleteService: (name) =>
      inTransaction(pool, async (client) => {
        await forgetServiceRows(client, name);
        return forgetService(client, name);
      }),
    buildBuckets: (tier, from, to, part) =>
      inTransaction(pool, (client) => buildBuckets(client, tables, tier, from, to, part)),
    markBuilt: async (tier, t, marks) => {
      await pool.query('DELETE FROM dirty_buckets WHERE tier = $1 AND t = $2 AND marks = $3', [tier, t, marks]);
    },
    loadDirty: async () => {
      const { rows } = await pool.query<{ tier: number; t: number; marks: number }>(
        'SELECT tier, t, marks FROM dirty_buckets',
      );
      return rows.map((r): DirtyRow => [r.tier, r.t, r.marks]);
    },
    expire: async (tier, cutoff, seriesIds, services) => {
      // Whole partitions past the cutoff go at once, whoever's series they hold; the rest row by row.
      await partitions.refresh();
      let deleted = 0;
      for (const start of partitions.before(tier, cutoff)) deleted += await partitions.drop(tier, start);
      return deleted + (await inTransaction(pool, (client) => expireRows(client, tier, cutoff, seriesIds, services)));
    },
    getMeta: async (key) => {
      const { rows } = await pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
      return rows[0]?.value ?? null;
    },
    setMeta: async (key, value) => {
      await pool.query(
        'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
        [key, value],
      );
    },
    sizeBytes: async () => {
      const { rows } = await pool.query<{ bytes: number }>('SELECT pg_database_size(current_database()) AS bytes');
      return rows[0]!.bytes;
    },
    close: () => pool.end(),
  };
  return store;
}
