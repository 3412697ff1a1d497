import { mergeEncoded } from '../../sketch/codec.ts';
import { forEachRed, forEachSample, type Rows } from '../rows.ts';
import type { BucketRow, BucketTable } from './bucket-merge.ts';
import { rowId } from './bucket-merge.ts';
import { TIER_TABLES } from './tables.ts';

/** A route-less request is stored under the empty route (read back as null), as in the SQLite store. */
export const NO_ROUTE = '';

const FLOAT = 'float8';

/** `samples_<res>`: per series and bucket; values count, sum, min, max, last, last_t. */
export function samplesTable(name: string): BucketTable {
  return {
    name,
    keys: [
      ['series_id', 'int4'],
      ['t', 'int8'],
    ],
    values: [
      ['count', FLOAT],
      ['sum', FLOAT],
      ['min', FLOAT],
      ['max', FLOAT],
      ['last', FLOAT],
      ['last_t', FLOAT],
      ['sketch', 'bytea'],
    ],
    merge(into, from) {
      const [count, sum, min, max, last, lastT] = into.values as [number, number, number, number, number, number];
      const v = from.values as [number, number, number, number, number, number];
      return {
        ...into,
        values: [
          count + v[0],
          sum + v[1],
          Math.min(min, v[2]),
          Math.max(max, v[3]),
          v[5] >= lastT ? v[4] : last,
          Math.max(lastT, v[5]),
        ],
        sketch: mergeEncoded(into.sketch, from.sketch),
      };
    },
  };
}

/** `red_service_<res>` (key service, t) or `red_route_<res>` (service, route, t); values count, errors. */
export function redTable(name: string, byRoute: boolean): BucketTable {
  return {
    name,
    keys: [['service', 'text'], ...(byRoute ? [['route', 'text'] as const] : []), ['t', 'int8']],
    values: [
      ['count', FLOAT],
      ['errors', FLOAT],
      ['sketch', 'bytea'],
    ],
    merge: (into, from) => ({
      ...into,
      values: [into.values[0]! + from.values[0]!, into.values[1]! + from.values[1]!],
      sketch: mergeEncoded(into.sketch, from.sketch),
    }),
  };
}

/** One commit's rows per table, each key once (rows of one bucket merged here first), sorted by key. */
export type TableRows = Map<BucketTable, BucketRow[]>;

/**
 * Groups a commit's rows by table and key, with series ids put through `seriesId` (a series added in this
 * commit gets the id the database gave it). The order, tables then keys, is the one every instance
 * locks rows in.
 */
export function groupRows(
  all: readonly Rows[],
  tables: TierBucketTables[],
  seriesId: (id: number) => number,
): TableRows {
  const groups = new Map<BucketTable, Map<string, BucketRow>>();
  const add = (table: BucketTable, key: (string | number)[], values: number[], sketch: Buffer | null) => {
    let rows = groups.get(table);
    if (!rows) groups.set(table, (rows = new Map()));
    const id = rowId(key);
    const row: BucketRow = { id, key, values, sketch };
    const old = rows.get(id);
    rows.set(id, old ? table.merge(old, row) : row);
  };
  for (const rows of all) {
    forEachSample(rows, (tier, series, t, count, sum, min, max, last, lastT, sketch) => {
      const table = tables[tier]?.samples;
      if (!table) throw new RangeError(`tier ${tier} keeps no per-series samples`);
      add(table, [seriesId(series), t], [count, sum, min, max, last, lastT], sketch);
    });
    forEachRed(rows, (tier, service, route, t, count, errors, sketch) => {
      if (route === undefined) return add(tables[tier]!.redService, [service, t], [count, errors], sketch);
      const table = tables[tier]?.redRoute;
      if (!table) throw new RangeError(`tier ${tier} keeps no per-route rollups`);
      add(table, [service, route ?? NO_ROUTE, t], [count, errors], sketch);
    });
  }
  const out: TableRows = new Map();
  for (const table of tables.flatMap((t) => [t.samples, t.redService, t.redRoute])) {
    const rows = table && groups.get(table);
    if (rows)
      out.set(
        table,
        [...rows.values()].sort((a, b) => compareKeys(a.key, b.key)),
      );
  }
  return out;
}

export interface TierBucketTables {
  samples: BucketTable | null;
  redService: BucketTable;
  redRoute: BucketTable | null;
}

export function bucketTables(): TierBucketTables[] {
  return TIER_TABLES.map(({ samples, redService, redRoute }) => ({
    samples: samples ? samplesTable(samples) : null,
    redService: redTable(redService, false),
    redRoute: redRoute ? redTable(redRoute, true) : null,
  }));
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
