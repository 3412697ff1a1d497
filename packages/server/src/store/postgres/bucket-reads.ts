import type pg from 'pg';
import type { RedBucket, RedRead, SampleBucket } from '../store.ts';
import { NO_ROUTE } from './bucket-rows.ts';
import { TIER_TABLES, type TierTables } from './tables.ts';

type Queryable = pg.Pool | pg.PoolClient;

function tables(tier: number): TierTables {
  const tables = TIER_TABLES[tier];
  if (!tables) throw new RangeError(`no tier ${tier}`);
  return tables;
}

/** Rows of these series in [from, to), series in the order asked, then by time (as the SQLite store). */
export async function readSamples(
  db: Queryable,
  tier: number,
  seriesIds: readonly number[],
  from: number,
  to: number,
): Promise<SampleBucket[]> {
  const table = tables(tier).samples;
  if (!table) throw new RangeError(`tier ${tier} keeps no per-series samples`);
  if (seriesIds.length === 0) return [];
  const { rows } = await db.query<SampleBucket>(
    `SELECT s.series_id AS "seriesId", s.t, s.count, s.sum, s.min, s.max, s.last, s.last_t AS "lastT", s.sketch
     FROM unnest($1::int4[]) WITH ORDINALITY AS q(id, n) JOIN ${table} AS s ON s.series_id = q.id
     WHERE s.t >= $2 AND s.t < $3 ORDER BY q.n, s.t`,
    [seriesIds, from, to],
  );
  return rows;
}

/** RED rows of these services in [from, to): services in the order asked, then route (bytewise), then time. */
export async function readRed(db: Queryable, read: RedRead): Promise<RedBucket[]> {
  const { redService, redRoute } = tables(read.tier);
  if (read.services.length === 0) return [];
  if (!read.byRoute) {
    const { rows } = await db.query<RedBucket>(
      `SELECT s.service, s.t, s.count, s.errors, s.sketch
       FROM unnest($1::text[]) WITH ORDINALITY AS q(name, n) JOIN ${redService} AS s ON s.service = q.name
       WHERE s.t >= $2 AND s.t < $3 ORDER BY q.n, s.t`,
      [read.services, read.from, read.to],
    );
    return rows;
  }
  if (!redRoute) throw new RangeError(`tier ${read.tier} keeps no per-route rollups`);
  const { rows } = await db.query<RedBucket>(
    `SELECT s.service, nullif(s.route, $4) AS route, s.t, s.count, s.errors, s.sketch
     FROM unnest($1::text[]) WITH ORDINALITY AS q(name, n) JOIN ${redRoute} AS s ON s.service = q.name
     WHERE s.t >= $2 AND s.t < $3 ORDER BY q.n, s.route COLLATE "C", s.t`,
    [read.services, read.from, read.to, NO_ROUTE],
  );
  return rows;
}

/** Deletes `tier`'s rows before `cutoff` of these series and services (those not in a dropped partition). */
export async function expireRows(
  client: pg.PoolClient,
  tier: number,
  cutoff: number,
  seriesIds: readonly number[],
  services: readonly string[],
): Promise<number> {
  const { samples, redService, redRoute } = tables(tier);
  let deleted = 0;
  if (samples && seriesIds.length > 0) {
    const result = await client.query(`DELETE FROM ${samples} WHERE series_id = ANY($1::int4[]) AND t < $2`, [
      seriesIds,
      cutoff,
    ]);
    deleted += result.rowCount ?? 0;
  }
  for (const table of services.length > 0 ? [redService, redRoute] : []) {
    if (!table) continue;
    const result = await client.query(`DELETE FROM ${table} WHERE service = ANY($1::text[]) AND t < $2`, [
      services,
      cutoff,
    ]);
    deleted += result.rowCount ?? 0;
  }
  return deleted;
}

/** Deletes every bucket row of a service, before its series (the sample rows are found through them). */
export async function forgetServiceRows(client: pg.PoolClient, name: string): Promise<void> {
  for (const { samples, redService, redRoute } of TIER_TABLES) {
    if (samples) {
      await client.query(`DELETE FROM ${samples} WHERE series_id IN (SELECT id FROM series WHERE service = $1)`, [
        name,
      ]);
    }
    for (const table of [redService, redRoute]) {
      if (table) await client.query(`DELETE FROM ${table} WHERE service = $1`, [name]);
    }
  }
}
