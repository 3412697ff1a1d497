import type Database from 'better-sqlite3';
import { mergeEncoded } from '../../sketch/codec.ts';
import type { SampleRowSink } from '../rows.ts';
import type { SampleBucket } from '../store.ts';

/** `SampleRowSink` for the one tier staged here: the same positional row, without the tier. */
type OneTierSink = SampleRowSink extends (tier: number, ...row: infer Row) => void ? (...row: Row) => void : never;

/**
 * A move falls due after this many writes of held rows (or `MOVE_ROWS` staged upserts). Each series' page is
 * then dirtied once per move instead of once per write; more writes per move save more but make each move
 * longer (docs/performance.md, 2026-12-04; a move is now made in parts, see `MOVE_PART_ROWS`).
 */
export const MOVE_EVERY_COMMITS = 10;
const MOVE_ROWS = 50_000;
/**
 * Rows one step of a move takes, at most: a move is split by series into parts of about this many rows, each
 * its own transaction in its own turn of the event loop (50,000 rows merged into their buckets took ~500 ms).
 */
export const MOVE_PART_ROWS = 2_000;

const COLUMNS = 'series_id, t, count, sum, min, max, last, last_t, sketch';
/** The additive merge of a row into a stored bucket: the same in the live upsert and in the move. */
const ADD = `count = count + excluded.count, sum = sum + excluded.sum,
  min = min(min, excluded.min), max = max(max, excluded.max),
  last = CASE WHEN excluded.last_t >= last_t THEN excluded.last ELSE last END,
  last_t = max(last_t, excluded.last_t), sketch = sketch_merge(sketch, excluded.sketch)`;

/** The additive upsert of one row into `table` (keyed by series and t, in either order). */
export function upsertSql(table: string): string {
  return `INSERT INTO ${table} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (series_id, t) DO UPDATE SET ${ADD}`;
}

/**
 * `recent_samples_<res>`, keyed (t, series_id): where live commits write the recent buckets of
 * `samples_<res>` (keyed (series_id, t)), moved there in bulk, sorted by series. A bucket may be in both
 * tables (written again after a move, or left here by a crash); every reader sees their merge.
 */
export function stagedSamples(db: Database.Database, res: number) {
  const main = `samples_${res}`;
  const staged = `recent_samples_${res}`;
  const upsert = db.prepare(upsertSql(staged));
  const ids = 'series_id IN (SELECT value FROM json_each(@ids))';
  // Looked up by bucket start and series, one key at a time: a range of t (the table's first key column)
  // and a list of series read every series' rows in the range (~60 ms for 50,000 series and 30 buckets,
  // against ~1.5 ms), and alert rules read a few series of each of 1,000 services every few seconds.
  const read = db.prepare<[{ ids: string; starts: string }], SampleBucket>(
    `SELECT series_id AS seriesId, t, count, sum, min, max, last, last_t AS lastT, sketch FROM ${staged}
     WHERE t IN (SELECT value FROM json_each(@starts)) AND ${ids}`,
  );
  const oldest = db.prepare<[], number | null>(`SELECT min(t) FROM ${staged}`).pluck();
  // Sorted by series so each page of `samples_<res>` is written once per move.
  const moveWhere = (where: string) => ({
    insert: db.prepare(
      `INSERT INTO ${main} (${COLUMNS}) SELECT ${COLUMNS} FROM ${staged} WHERE ${where} ORDER BY series_id, t
       ON CONFLICT (series_id, t) DO UPDATE SET ${ADD}`,
    ),
    remove: db.prepare(`DELETE FROM ${staged} WHERE ${where}`),
  });
  const before = moveWhere('t < @to');
  const part = moveWhere('t >= @from AND t < @to AND series_id >= @fromId AND series_id < @toId');
  const newest = db.prepare<[], number | null>(`SELECT max(t) FROM ${staged}`).pluck();
  const expire = db.prepare(`DELETE FROM ${staged} WHERE t < @cutoff AND ${ids}`);
  const forget = db.prepare(`DELETE FROM ${staged} WHERE series_id IN (SELECT id FROM series WHERE service = ?)`);
  // The series ids that split the rows before `to` into parts of MOVE_PART_ROWS (each id starts a part).
  const partStarts = db
    .prepare<{ to: number; every: number }, number>(
      `SELECT series_id FROM (SELECT series_id, row_number() OVER (ORDER BY series_id) AS n FROM ${staged}
       WHERE t < @to) WHERE n % @every = 0 ORDER BY series_id`,
    )
    .pluck();
  // The few bucket starts a move takes (those since the last), so each part seeks (t, series_id) per start
  // instead of reading every staged row to find its range of series.
  const startsBefore = db.prepare<{ to: number }, number>(`SELECT DISTINCT t FROM ${staged} WHERE t < @to`).pluck();
  const moveSeries = moveWhere(
    't IN (SELECT value FROM json_each(@ts)) AND series_id >= @fromId AND series_id < @toId',
  );
  let commits = 0;
  let rows = 0;
  /** The move under way: rows at bucket starts `ts`, of series from `fromId` on, are still to move. */
  let moving: { to: number; fromId: number; parts: { ts: string; starts: number[] } | null } | null = null;
  const moveBefore = (to: number) => {
    before.insert.run({ to });
    before.remove.run({ to });
    commits = 0;
    rows = 0;
    moving = null;
  };

  return {
    /**
     * Every row of the tier is staged, late data too: a late stream (the peers bench's hour that ended 2 h
     * ago) arrives as live data does, one bucket of many series per commit.
     */
    upsert: ((id, t, count, sum, min, max, last, lastT, sketch) => {
      upsert.run(id, t, count, sum, min, max, last, lastT, sketch);
      rows++;
    }) satisfies OneTierSink,
    /**
     * Called at the end of each write of rows: every few writes a move of all but the newest bucket (still
     * being written: it would be written into its series' pages again by the next writes) is due, made by
     * `moveStep`.
     */
    end(): void {
      if (moving || (++commits < MOVE_EVERY_COMMITS && rows < MOVE_ROWS)) return;
      commits = 0;
      rows = 0;
      const t = newest.get();
      if (t != null) moving = { to: t, fromId: Number.MIN_SAFE_INTEGER, parts: null };
    },
    /** Whether a move is due or under way (`moveStep` has work). */
    moveDue: () => moving !== null,
    /**
     * The next step of a move that is due, in the caller's transaction: first where its parts split, then one
     * part each. Whether it did one. A part is a range of series, so each series' rows move together and its
     * pages are written once per move.
     */
    moveStep(): boolean {
      if (!moving) return false;
      if (!moving.parts) {
        const ts = JSON.stringify(startsBefore.all({ to: moving.to }));
        // Distinct: a series with more than a part's rows would give its id twice.
        moving.parts = { ts, starts: [...new Set(partStarts.all({ to: moving.to, every: MOVE_PART_ROWS }))] };
        return true;
      }
      const { ts, starts } = moving.parts;
      const toId = starts[0] ?? Number.MAX_SAFE_INTEGER;
      const range = { ts, fromId: moving.fromId, toId };
      moveSeries.insert.run(range);
      moveSeries.remove.run(range);
      // Only once moved: a part that failed (a full disk) is taken again by the next step.
      starts.shift();
      if (toId === Number.MAX_SAFE_INTEGER) moving = null;
      else moving.fromId = toId;
      return true;
    },
    /** Moves every staged row (on close). */
    moveAll(): void {
      moveBefore(Number.MAX_SAFE_INTEGER);
    },
    /** Moves the staged rows of a build's part, so the build (reading `samples_<res>`) sees them. */
    movePart(from: number, to: number, fromId: number, toId: number): void {
      const range = { from, to, fromId, toId };
      part.insert.run(range);
      part.remove.run(range);
    },
    /** `main`, the series' buckets in [from, to) of `samples_<res>`, merged with the staged ones. */
    read(seriesIds: readonly number[], from: number, to: number, main: SampleBucket[]): SampleBucket[] {
      // The bucket starts in [from, to) that the staged rows span (the few since the last move).
      const first = Math.max(from, oldest.get() ?? Number.POSITIVE_INFINITY);
      const last = Math.min(to - 1, newest.get() ?? Number.NEGATIVE_INFINITY);
      const starts: number[] = [];
      for (let t = Math.ceil(first / res) * res; t <= last; t += res) starts.push(t);
      if (starts.length === 0) return main;
      const rows = read.all({ ids: JSON.stringify(seriesIds), starts: JSON.stringify(starts) });
      return rows.length === 0 ? main : mergeBuckets(seriesIds, main, rows);
    },
    expire(cutoff: number, seriesIds: readonly number[]): number {
      return expire.run({ cutoff, ids: JSON.stringify(seriesIds) }).changes;
    },
    forgetService(service: string): void {
      forget.run(service);
    },
  };
}

/**
 * `main` with `staged` merged in as the move would merge them (the staged row written later), in the
 * order of a read of `samples_<res>` alone: by series as asked, then by time.
 */
function mergeBuckets(seriesIds: readonly number[], main: SampleBucket[], staged: SampleBucket[]): SampleBucket[] {
  const out = main.slice();
  const at = new Map<string, number>();
  out.forEach((row, i) => {
    at.set(`${row.seriesId}/${row.t}`, i);
  });
  for (const row of staged) {
    const i = at.get(`${row.seriesId}/${row.t}`);
    if (i === undefined) {
      out.push(row);
      continue;
    }
    const into = out[i]!;
    out[i] = {
      seriesId: into.seriesId,
      t: into.t,
      count: into.count + row.count,
      sum: into.sum + row.sum,
      min: Math.min(into.min, row.min),
      max: Math.max(into.max, row.max),
      last: row.lastT >= into.lastT ? row.last : into.last,
      lastT: Math.max(into.lastT, row.lastT),
      sketch: mergeEncoded(into.sketch, row.sketch),
    };
  }
  const rank = new Map(seriesIds.map((id, i) => [id, i]));
  return out.sort((a, b) => rank.get(a.seriesId)! - rank.get(b.seriesId)! || a.t - b.t);
}
