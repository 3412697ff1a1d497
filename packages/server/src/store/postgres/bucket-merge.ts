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
  const valueNames = table.values.map(([c]) => c);
  const names = [...keyNames, ...valueNames];
  const matches = keyNames.map((c) => `s.${c} = u.${c}`).join(' AND ');
  const insert = `INSERT INTO ${table.name} (${names.join(', ')})
    SELECT ${names.map((c) => column(table, c)).join(', ')} FROM ${rowsSource(table)}
    ON CONFLICT DO NOTHING RETURNING ${keyNames.join(', ')}`;
  const keyTypes = table.keys.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  const lock = `SELECT s.* FROM unnest(${keyTypes}) WITH ORDINALITY AS u(${keyNames.join(', ')}, n)
    JOIN ${table.name} AS s ON ${matches} ORDER BY u.n FOR UPDATE OF s`;
  const update = `UPDATE ${table.name} AS s SET ${valueNames.map((c) => `${c} = ${column(table, c)}`).join(', ')}
    FROM ${rowsSource(table)} WHERE ${matches}`;

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
    if (merged.length > 0) await client.query(update, bindRows(table, merged));
    if (fresh.length === 0) return;
    const inserted = await client.query<Record<string, string | number>>(insert, bindRows(table, fresh));
    const made = new Set(inserted.rows.map((r) => rowId(keyNames.map((c) => r[c]!))));
    pending = fresh.filter((r) => !made.has(r.id));
  }
}

/**
 * `FROM` source of rows bound by `bindRows`, as `u`: one array per key and number column, unnested together,
 * and each row's sketch as an offset and length into one bytea parameter (see `column`).
 */
export function rowsSource(table: BucketTable): string {
  const numbers = [...table.keys, ...table.values.slice(0, -1)];
  const arrays = [...numbers.map(([, type], i) => `$${i + 1}::${type}[]`), `$${numbers.length + 1}::int4[]`];
  arrays.push(`$${numbers.length + 2}::int4[]`);
  return `unnest(${arrays.join(', ')}) AS u(${[...numbers.map(([c]) => c), 'sketch_at', 'sketch_length'].join(', ')})`;
}

/** The SQL expression of a column of `rowsSource`. */
export function column(table: BucketTable, name: string): string {
  if (name !== 'sketch') return `u.${name}`;
  const blob = `$${table.keys.length + table.values.length + 2}::bytea`;
  return `CASE WHEN u.sketch_length < 0 THEN NULL ELSE substring(${blob} FROM u.sketch_at + 1 FOR u.sketch_length) END`;
}

/**
 * The parameters of `rowsSource`. The sketches go as one bytea, which the driver sends as binary: as an array
 * of bytea they went as hex text, to be parsed back (updating 12,000 rows took ~20 % longer, load average 15).
 * NaN binds as NULL, which NOT NULL refuses, as in SQLite.
 */
export function bindRows(table: BucketTable, rows: readonly BucketRow[]): unknown[] {
  const numbers = table.values.length - 1;
  const at: number[] = [];
  const lengths: number[] = [];
  const sketches: Buffer[] = [];
  let offset = 0;
  for (const { sketch } of rows) {
    at.push(offset);
    lengths.push(sketch ? sketch.length : -1);
    if (sketch) {
      sketches.push(sketch);
      offset += sketch.length;
    }
  }
  return [
    ...table.keys.map((_, i) => rows.map((r) => r.key[i])),
    ...Array.from({ length: numbers }, (_, i) => rows.map((r) => (Number.isNaN(r.values[i]) ? null : r.values[i]))),
    at,
    lengths,
    Buffer.concat(sketches),
  ];
}
