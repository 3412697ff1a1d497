import type Database from 'better-sqlite3';
import { forEachRed, forEachSample, type Rows } from '../rows.ts';
import type { Appender, CumulativeState, SeriesRecord } from '../store.ts';
import type { cumulativeTable } from './cumulative-table.ts';
import type { metaTables } from './meta-tables.ts';
import type { redTables } from './red-tables.ts';
import type { sampleTables } from './sample-tables.ts';
import type { seriesTables } from './series-tables.ts';

interface Tables {
  series: ReturnType<typeof seriesTables>;
  samples: ReturnType<typeof sampleTables>;
  red: ReturnType<typeof redTables>;
  cumulative: ReturnType<typeof cumulativeTable>;
  meta: ReturnType<typeof metaTables>;
}

/** What one appender collected: references only, so appending costs nothing until the commit. */
interface Collected {
  series: SeriesRecord[];
  rows: Rows[];
  seen: Map<string, number>;
  cumulative: CumulativeState[];
  dirty: [number, number][];
}

/**
 * Appenders for the SQLite store. The commit runs the whole write synchronously, inside `commit`, in one
 * `BEGIN IMMEDIATE` transaction (rolled back on any error), so the returned promise is already settled;
 * in WAL mode a committed transaction survives the process being killed.
 */
export function sqliteAppenders(db: Database.Database, tables: Tables): () => Appender {
  const { upsert: upsertSample } = tables.samples;
  const { upsert: upsertRed } = tables.red;
  const write = db.transaction((c: Collected) => {
    for (const s of c.series) tables.series.insert(s);
    for (const [name, t] of c.seen) tables.series.seeService(name, t);
    for (const state of c.cumulative) tables.cumulative.save(state);
    for (const [tier, t] of c.dirty) tables.meta.markDirty(tier, t);
    for (const rows of c.rows) {
      forEachSample(rows, upsertSample);
      forEachRed(rows, upsertRed);
    }
  });
  return () => {
    let collected: Collected | null = { series: [], rows: [], seen: new Map(), cumulative: [], dirty: [] };
    const open = () => {
      if (!collected) throw new Error('this appender has been committed; take a new one');
      return collected;
    };
    return {
      addSeries: (record) => void open().series.push(record),
      addRows: (rows) => void open().rows.push(rows),
      seeService(name, t) {
        const { seen } = open();
        if (!(t <= (seen.get(name) ?? Number.NEGATIVE_INFINITY))) seen.set(name, t);
      },
      setCumulative: (state) => void open().cumulative.push(state),
      markDirty: (tier, t) => void open().dirty.push([tier, t]),
      async commit() {
        const c = open();
        collected = null;
        write.immediate(c);
      },
    };
  };
}
