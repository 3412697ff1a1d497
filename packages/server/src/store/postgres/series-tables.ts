import type { MetricType } from '@pulseboard/shared';
import type pg from 'pg';
import { attributesJson } from '../../model.ts';
import { StaleCumulativeError } from '../stale-cumulative.ts';
import type { CumulativeState, SeenSpan, SeriesRecord, ServiceRecord } from '../store.ts';

/** Series read per query while loading: the registry is built row by row within the heap cap. */
const PAGE = 10_000;

type Queryable = pg.Pool | pg.PoolClient;

/** Series and cumulative-state keys as stored: UTF-8 bytes (a series key holds NULs, which text refuses). */
const bytes = (key: string) => Buffer.from(key, 'utf8');

/**
 * Adds these series by key and returns the id the database holds for each, in order: new keys get the next
 * id, keys another instance added first keep theirs, so every instance agrees on a series' id. Sorted by key
 * so instances adding the same series lock them in one order.
 */
export async function upsertSeries(client: pg.PoolClient, records: readonly SeriesRecord[]): Promise<number[]> {
  if (records.length === 0) return [];
  const sorted = [...new Set(records.map((r) => r.key))].sort();
  const byKey = new Map(records.map((r) => [r.key, r]));
  const column = <T>(f: (r: SeriesRecord) => T) => sorted.map((key) => f(byKey.get(key)!));
  const { rows } = await client.query<{ id: number; key: Buffer }>(
    `INSERT INTO series (key, service, name, kind, unit, attributes, red, route, is_error, instance)
     SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[],
       $8::text[], $9::bool[], $10::text[])
     ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id, key`,
    [
      column((r) => bytes(r.key)),
      column((r) => r.service),
      column((r) => r.name),
      column((r) => r.kind),
      column((r) => r.unit),
      column((r) => attributesJson(r)),
      column((r) => r.red),
      column((r) => r.route),
      column((r) => r.isError),
      column((r) => r.instance),
    ],
  );
  const ids = new Map(rows.map((r) => [r.key.toString('utf8'), r.id]));
  return records.map((r) => ids.get(r.key)!);
}

interface SeriesRow {
  id: number;
  key: Buffer;
  service: string;
  name: string;
  kind: MetricType;
  unit: string;
  red: boolean;
  route: string | null;
  is_error: boolean;
  instance: string | null;
}

/** Series with ids above `afterId`, in id order, a page per query. */
export async function* loadSeries(pool: pg.Pool, afterId = 0): AsyncGenerator<SeriesRecord> {
  for (let last = afterId; ; ) {
    const { rows } = await pool.query<SeriesRow>(
      `SELECT id, key, service, name, kind, unit, red, route, is_error, instance FROM series
       WHERE id > $1 ORDER BY id LIMIT ${PAGE}`,
      [last],
    );
    for (const { key, is_error, ...r } of rows) yield { ...r, key: key.toString('utf8'), isError: is_error };
    if (rows.length < PAGE) return;
    last = rows.at(-1)!.id;
  }
}

/** Each service's first and last seen widen (LEAST/GREATEST), whatever order instances commit in. */
export async function seeServices(client: pg.PoolClient, seen: ReadonlyMap<string, SeenSpan>): Promise<void> {
  if (seen.size === 0) return;
  const names = [...seen.keys()].sort();
  const firsts = names.map((n) => seen.get(n)!.first);
  const lasts = names.map((n) => seen.get(n)!.last);
  await client.query(
    `INSERT INTO services (name, first_seen, last_seen)
     SELECT n, f, l FROM unnest($1::text[], $2::int8[], $3::int8[]) AS u(n, f, l)
     ON CONFLICT (name) DO UPDATE SET first_seen = LEAST(services.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(services.last_seen, EXCLUDED.last_seen)`,
    [names, firsts, lasts],
  );
}

export async function services(db: Queryable): Promise<ServiceRecord[]> {
  const { rows } = await db.query<{ name: string; first_seen: number; last_seen: number }>(
    'SELECT name, first_seen, last_seen FROM services ORDER BY name COLLATE "C"',
  );
  return rows.map((r) => ({ name: r.name, firstSeen: r.first_seen, lastSeen: r.last_seen }));
}

/**
 * Cumulative state overwrites: of several states of one series in a commit, the last appended is kept.
 * A state with `after` is written only while the stored state is still that one (none, for `null`): checked
 * under the rows' locks, and for series not stored yet by an insert that meets another instance's insert
 * of the same series. Otherwise the commit fails with a `StaleCumulativeError` holding what is stored now.
 */
export async function saveCumulative(client: pg.PoolClient, states: readonly CumulativeState[]): Promise<void> {
  if (states.length === 0) return;
  const latest = [...new Map(states.map((s) => [s.key, s])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  const checked = latest.filter((s) => s.after !== undefined);
  if (checked.length > 0) await checkCumulative(client, checked);
  await client.query(
    `INSERT INTO cumulative_state (key, start, time, state)
     SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::text[])
     ON CONFLICT (key) DO UPDATE SET start = EXCLUDED.start, time = EXCLUDED.time, state = EXCLUDED.state`,
    stateColumns(latest),
  );
}

const stateColumns = (states: readonly CumulativeState[]) => [
  states.map((s) => bytes(s.key)),
  states.map((s) => s.start),
  states.map((s) => s.time),
  states.map((s) => s.state),
];

type StateRow = { key: Buffer; start: number; time: number; state: string };

/** Fails with a `StaleCumulativeError` unless every state's `after` is what is stored (see `saveCumulative`). */
async function checkCumulative(client: pg.PoolClient, checked: readonly CumulativeState[]): Promise<void> {
  const keys = checked.map((s) => bytes(s.key));
  const { rows } = await client.query<StateRow>(
    'SELECT key, start, time FROM cumulative_state WHERE key = ANY($1::bytea[]) ORDER BY key FOR UPDATE',
    [keys],
  );
  const stored = new Map(rows.map((r) => [r.key.toString('utf8'), r]));
  const stale = checked.filter((s) => {
    const row = stored.get(s.key);
    return s.after ? row?.start !== s.after.start || row.time !== s.after.time : row !== undefined;
  });
  const fresh = checked.filter((s) => s.after === null && !stored.has(s.key));
  if (stale.length === 0 && fresh.length > 0) {
    // No row to lock: two instances inserting the same new series meet here, and the later one finds it taken.
    const inserted = await client.query<{ key: Buffer }>(
      `INSERT INTO cumulative_state (key, start, time, state)
       SELECT * FROM unnest($1::bytea[], $2::int8[], $3::int8[], $4::text[]) ON CONFLICT DO NOTHING RETURNING key`,
      stateColumns(fresh),
    );
    const ours = new Set(inserted.rows.map((r) => r.key.toString('utf8')));
    stale.push(...fresh.filter((s) => !ours.has(s.key)));
  }
  if (stale.length === 0) return;
  const now = await client.query<StateRow>(
    'SELECT key, start, time, state FROM cumulative_state WHERE key = ANY($1::bytea[])',
    [stale.map((s) => bytes(s.key))],
  );
  const current = now.rows.map((r) => ({ key: r.key.toString('utf8'), start: r.start, time: r.time, state: r.state }));
  const found = new Set(current.map((c) => c.key));
  throw new StaleCumulativeError(
    current,
    stale.map((s) => s.key).filter((key) => !found.has(key)),
  );
}

export async function loadCumulative(db: Queryable): Promise<CumulativeState[]> {
  const { rows } = await db.query<{ key: Buffer; start: number; time: number; state: string }>(
    'SELECT key, start, time, state FROM cumulative_state',
  );
  return rows.map((r) => ({ ...r, key: r.key.toString('utf8') }));
}

/** Deletes a service's series, cumulative state and first/last seen; false when it was unknown. */
export async function forgetService(client: pg.PoolClient, name: string): Promise<boolean> {
  // Cumulative state is keyed by series key, which starts with the service name and a NUL.
  await client.query('DELETE FROM cumulative_state WHERE key >= $1 AND key < $2', [
    bytes(`${name}\u0000`),
    bytes(`${name}\u0001`),
  ]);
  await client.query('DELETE FROM series WHERE service = $1', [name]);
  return ((await client.query('DELETE FROM services WHERE name = $1', [name])).rowCount ?? 0) > 0;
}
