import type pg from 'pg';
import { TIER_RESOLUTIONS } from '../../model.ts';
import { decodeSketch, encodeSketch } from '../../sketch/codec.ts';
import { Sketch } from '../../sketch/sketch.ts';
import type { BuildPart } from '../store.ts';
import { type BucketRow, type BucketTable, bindRows, column, rowId, rowsSource } from './bucket-merge.ts';
import type { TierBucketTables } from './bucket-rows.ts';

/**
 * Rebuilds part of a coarse tier's buckets in [from, to) from the tier below, replacing what is there (a
 * rebuild is done again whole when new data arrives, so it never adds). The grouping and the sketch merge
 * run here, over the finer rows of the range: the sketch codec is JavaScript.
 */
export async function buildBuckets(
  client: pg.PoolClient,
  tables: TierBucketTables[],
  tier: number,
  from: number,
  to: number,
  part: BuildPart,
): Promise<void> {
  const target = tables[tier]!;
  const source = tables[tier - 1];
  if (!source) throw new RangeError(`tier ${tier} is written directly, not built`);
  const res = TIER_RESOLUTIONS[tier]!;
  if (part.kind === 'series') {
    if (!target.samples || !source.samples) throw new RangeError(`tier ${tier} keeps no per-series samples`);
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT * FROM ${source.samples.name} WHERE t >= $1 AND t < $2 AND series_id >= $3 AND series_id < $4
       ORDER BY series_id, t`,
      [from, to, part.fromId, part.toId],
    );
    await replace(client, target.samples, group(target.samples, rows, res));
    return;
  }
  for (const [into, below] of [
    [target.redService, source.redService],
    [target.redRoute, source.redRoute],
  ] as const) {
    if (!into || !below) throw new RangeError(`tier ${tier} keeps no per-route rollups`);
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT * FROM ${below.name} WHERE t >= $1 AND t < $2 ORDER BY t`,
      [from, to],
    );
    await replace(client, into, group(into, rows, res));
  }
}

/** The finer rows summed per coarse bucket (rows in time order, so the newest `last` wins a tie). */
function group(table: BucketTable, rows: Record<string, unknown>[], res: number): BucketRow[] {
  const keyNames = table.keys.map(([c]) => c);
  const valueNames = table.values.map(([c]) => c).filter((c) => c !== 'sketch');
  const groups = new Map<string, { row: BucketRow; sketch: Sketch | null }>();
  for (const r of rows) {
    const key = keyNames.map((c) => (c === 't' ? Math.floor((r.t as number) / res) * res : (r[c] as string | number)));
    const id = rowId(key);
    const row: BucketRow = { id, key, values: valueNames.map((c) => r[c] as number), sketch: null };
    const blob = r.sketch as Buffer | null;
    const old = groups.get(id);
    if (!old) {
      groups.set(id, { row, sketch: blob ? decodeSketch(blob) : null });
      continue;
    }
    old.row = { ...table.merge(old.row, row), sketch: null };
    if (blob) old.sketch = decodeSketch(blob, old.sketch ?? new Sketch());
  }
  return [...groups.values()].map(({ row, sketch }) => ({ ...row, sketch: sketch ? encodeSketch(sketch) : null }));
}

async function replace(client: pg.PoolClient, table: BucketTable, rows: BucketRow[]): Promise<void> {
  if (rows.length === 0) return;
  const names = [...table.keys, ...table.values].map(([c]) => c);
  await client.query(
    `INSERT INTO ${table.name} (${names.join(', ')})
     SELECT ${names.map((c) => column(table, c)).join(', ')} FROM ${rowsSource(table)}
     ON CONFLICT (${table.keys.map(([c]) => c).join(', ')}) DO UPDATE SET
       ${table.values.map(([c]) => `${c} = EXCLUDED.${c}`).join(', ')}`,
    bindRows(table, rows),
  );
}
