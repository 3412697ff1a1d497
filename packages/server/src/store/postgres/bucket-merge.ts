import type pg from 'pg';

/** One bucket row to add into a table: its key columns, its number columns and its sketch. */
export interface BucketRow {
  /** The key columns joined, to find the row again in a Map. */
  id: string;
  key: (string | number)[];
  values: number[];
  sketch: Buffer | null;
}

/** A rollup table's columns: key columns (their PostgreSQL types) and value columns, sketch last. */
export interface BucketTable {
  name: string;
  keys: readonly (readonly [column: string, type: string])[];
  values: readonly (readonly [column: string, type: string])[];
  /** Adds `from` into `into` (counts add, sketches merge...): the row as it must be stored. */
  merge(into: BucketRow, from: BucketRow): BucketRow;
}

/** More rounds than this means rows kept vanishing between insert and lock: something else is wrong. */
const MAX_ROUNDS = 4;

export function rowId(key: readonly (string | number)[]): string {
  return JSON.stringify(key);
}

/**
 * Adds rows into a table without ever overwriting what another writer stored, inside the caller's
 * transaction. The stored rows of our keys are locked (FOR UPDATE), merged with ours here (the sketch codec
 * is JavaScript) and updated; keys not stored yet are inserted (ON CONFLICT DO NOTHING), and those another
 * writer inserted meanwhile go round again, to be locked and merged. Locking first suits the common case (a
 * bucket is written every commit while it is current): an insert that conflicts costs as much as an update.
 * Every step goes in `rows`' order, sorted by key by the caller, so two instances writing the same buckets
 * take their locks in the same order; one waits for the other and then merges into its committed row.
 */
export async function mergeInto(client: pg.PoolClient, table: BucketTable, rows: readonly BucketRow[]): Promise<void> {
  const keyNames = table.keys.map(([c]) => c);
  const columns = [...table.keys, ...table.values];
  const unnest = (cols: readonly (readonly [string, string])[]) =>
    `unnest(${cols.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;
  const names = columns.map(([c]) => c).join(', ');
  const insert = `INSERT INTO ${table.name} (${names}) SELECT * FROM ${unnest(columns)}
    ON CONFLICT DO NOTHING RETURNING ${keyNames.join(', ')}`;
  const lock = `SELECT s.* FROM ${unnest(table.keys)} WITH ORDINALITY AS u(${keyNames.join(', ')}, n)
    JOIN ${table.name} AS s ON ${keyNames.map((c) => `s.${c} = u.${c}`).join(' AND ')}
    ORDER BY u.n FOR UPDATE OF s`;
  const update = `UPDATE ${table.name} AS s SET ${table.values.map(([c]) => `${c} = u.${c}`).join(', ')}
    FROM ${unnest(columns)} AS u(${names})
    WHERE ${keyNames.map((c) => `s.${c} = u.${c}`).join(' AND ')}`;

  let pending = rows;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`${table.name}: rows kept appearing while being merged`);
    const keyArrays = table.keys.map((_, i) => pending.map((r) => r.key[i]!));
    const stored = new Map<string, BucketRow>();
    for (const r of (await client.query<Record<string, unknown>>(lock, keyArrays)).rows) {
      const key = keyNames.map((c) => r[c] as string | number);
      const values = table.values.filter(([c]) => c !== 'sketch').map(([c]) => r[c] as number);
      stored.set(rowId(key), { id: rowId(key), key, values, sketch: (r.sketch as Buffer | null) ?? null });
    }
    const merged: BucketRow[] = [];
    const fresh: BucketRow[] = [];
    for (const row of pending) {
      const old = stored.get(row.id);
      if (old) merged.push(table.merge(old, row));
      else fresh.push(row);
    }
    if (merged.length > 0) await client.query(update, columnArrays(table, merged));
    if (fresh.length === 0) return;
    const inserted = await client.query<Record<string, string | number>>(insert, columnArrays(table, fresh));
    const made = new Set(inserted.rows.map((r) => rowId(keyNames.map((c) => r[c]!))));
    pending = fresh.filter((r) => !made.has(r.id));
  }
}

/** The rows as one array per column, for unnest. NaN binds as NULL, which NOT NULL refuses, as in SQLite. */
export function columnArrays(table: BucketTable, rows: readonly BucketRow[]): unknown[][] {
  const numbers = table.values.length - 1;
  const arrays: unknown[][] = [
    ...table.keys.map((_, i) => rows.map((r) => r.key[i])),
    ...Array.from({ length: numbers }, (_, i) => rows.map((r) => (Number.isNaN(r.values[i]) ? null : r.values[i]))),
    rows.map((r) => r.sketch),
  ];
  return arrays;
}
