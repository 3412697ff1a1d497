import type Database from 'better-sqlite3';
import { MATERIALIZED_FROM, SAMPLE_TIER_FROM, TIER_RESOLUTIONS } from '../../model.ts';
import type { SampleRowSink } from '../rows.ts';
import type { SampleBucket } from '../store.ts';
import { stagedSamples, upsertSql } from './staged-samples.ts';

/** The tier whose live rows are staged in `recent_samples_<res>` first (see staged-samples.ts). */
const STAGED_TIER = SAMPLE_TIER_FROM;

/**
 * The per-series bucket tables, `samples_<resolution>`, of the tiers that keep them, and the staging table
 * of the finest one; every read, build, expiry and forget here sees both.
 */
export function sampleTables(db: Database.Database) {
  const tiers = TIER_RESOLUTIONS.map((res, tier) => (tier >= SAMPLE_TIER_FROM ? statements(db, tier, res) : null));
  const staged = stagedSamples(db, TIER_RESOLUTIONS[STAGED_TIER]);
  const tierOf = (tier: number) => {
    const statements = tiers[tier];
    if (!statements) throw new RangeError(`tier ${tier} keeps no per-series samples`);
    return statements;
  };
  return {
    /** Adds a delta into a bucket (see `Appender`). Positional: measurably cheaper on the hottest statement. */
    upsert: ((tier, id, t, count, sum, min, max, last, lastT, sketch) => {
      if (tier === STAGED_TIER) staged.upsert(id, t, count, sum, min, max, last, lastT, sketch);
      else tierOf(tier).upsert.run(id, t, count, sum, min, max, last, lastT, sketch);
    }) satisfies SampleRowSink,
    /** Called at the end of each write of rows: a periodic move out of staging falls due. */
    endCommit: staged.end,
    /** Moves the next part of a move out of staging that is due, if any (see staged-samples.ts). */
    moveStep: staged.moveStep,
    moveDue: staged.moveDue,
    /** Moves every staged row into `samples_<res>` (on close; rows left by a crash are read from both). */
    moveAll: staged.moveAll,
    read(tier: number, seriesIds: readonly number[], from: number, to: number): SampleBucket[] {
      const statement = tierOf(tier).read;
      const out: SampleBucket[] = [];
      for (const id of seriesIds) for (const row of statement.iterate(id, from, to)) out.push(row);
      return tier === STAGED_TIER ? staged.read(seriesIds, from, to, out) : out;
    },
    /** Replaces `tier`'s buckets in [from, to) of series ids in [fromId, toId) by the tier below's. */
    build(tier: number, from: number, to: number, fromId: number, toId: number): void {
      const build = tierOf(tier).build;
      if (!build) throw new RangeError(`tier ${tier} is written directly, not built`);
      // The build reads the tier below's main table by seeks per series: its staged rows move there first.
      if (tier - 1 === STAGED_TIER) staged.movePart(from, to, fromId, toId);
      build.run({ from, to, fromId, toId });
    },
    expire(tier: number, cutoff: number, seriesIds: readonly number[]): number {
      const statement = tiers[tier]?.expire;
      let deleted = tier === STAGED_TIER ? staged.expire(cutoff, seriesIds) : 0;
      if (statement) for (const id of seriesIds) deleted += statement.run(id, cutoff).changes;
      return deleted;
    },
    forgetService(service: string): void {
      staged.forgetService(service);
      for (const statements of tiers) statements?.forget.run(service);
    },
  };
}

function statements(db: Database.Database, tier: number, res: number) {
  const source = TIER_RESOLUTIONS[tier - 1];
  const bucket = `(t / ${res}) * ${res}`;
  return {
    upsert: db.prepare(upsertSql(`samples_${res}`)),
    read: db.prepare<[number, number, number], SampleBucket>(
      `SELECT series_id AS seriesId, t, count, sum, min, max, last, last_t AS lastT, sketch
       FROM samples_${res} WHERE series_id = ? AND t >= ? AND t < ?`,
    ),
    // The ids come from `series` (every stored series has its row there), each then read by a seek on
    // (series_id, t): over a range of series_id alone, SQLite read every bucket of those series, all of the
    // tier's retention, to rebuild one minute (a day of 10 s rows per series and minute, in an import).
    // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the upsert, not the SELECT.
    build:
      tier >= MATERIALIZED_FROM
        ? db.prepare(
            `INSERT INTO samples_${res} (series_id, t, count, sum, min, max, last, last_t, sketch)
             SELECT s.series_id, ${bucket}, sum(count), sum(sum), min(min), max(max), latest(last_t, last), max(last_t),
               sketch_merge_all(sketch)
             FROM series AS k CROSS JOIN samples_${source} AS s
             WHERE k.id >= @fromId AND k.id < @toId AND s.series_id = k.id AND s.t >= @from AND s.t < @to AND true
             GROUP BY s.series_id, ${bucket}
             ON CONFLICT (series_id, t) DO UPDATE SET count = excluded.count, sum = excluded.sum, min = excluded.min,
               max = excluded.max, last = excluded.last, last_t = excluded.last_t, sketch = excluded.sketch`,
          )
        : null,
    expire: db.prepare(`DELETE FROM samples_${res} WHERE series_id = ? AND t < ?`),
    forget: db.prepare(`DELETE FROM samples_${res} WHERE series_id IN (SELECT id FROM series WHERE service = ?)`),
  };
}
