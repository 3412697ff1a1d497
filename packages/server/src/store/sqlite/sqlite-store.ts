import type Database from 'better-sqlite3';
import {
  attributesJson,
  MATERIALIZED_FROM,
  ROUTE_TIER_FROM,
  SAMPLE_TIER_FROM,
  TIER_RESOLUTIONS,
  type TierIndex,
} from '../../model.ts';
import { decodeSketch, encodeSketch, mergeEncoded } from '../../sketch/codec.ts';
import { Sketch } from '../../sketch/sketch.ts';
import type {
  BuildPart,
  CumulativeState,
  RedBucket,
  RedRead,
  SampleBucket,
  SeriesRecord,
  Store,
  WriteSet,
} from '../store.ts';
import { openDatabaseFile } from './database-file.ts';
import { MIGRATIONS } from './migrations.ts';

/** A route-less request is stored under the empty route, since NULL cannot be part of a primary key here. */
const NO_ROUTE = '';

interface SeriesRow {
  id: number;
  key: string;
  service: string;
  name: string;
  kind: SeriesRecord['kind'];
  unit: string;
  red: number;
  route: string | null;
  is_error: number;
  instance: string | null;
}
interface RedRow {
  service: string;
  route?: string;
  t: number;
  count: number;
  errors: number;
  sketch: Buffer;
}

/** The SQLite store with its connection, so the other stores of this backend (alerts) share one file and writer. */
export interface SqliteStore extends Store {
  readonly db: Database.Database;
}

/** The embedded store: one SQLite file in WAL mode. All SQL of the SQLite backend lives in this file. */
export function openSqliteStore(file: string): SqliteStore {
  const { db, release } = openDatabaseFile(file, migrate);
  db.function('sketch_merge', { deterministic: true }, (a: unknown, b: unknown) =>
    mergeEncoded(a as Buffer | null, b as Buffer | null),
  );
  // Aggregates for building a coarse bucket from finer ones: the merged sketch, and the newest `last`.
  db.aggregate('sketch_merge_all', {
    start: () => null,
    step: (acc: unknown, blob: unknown) =>
      blob ? decodeSketch(blob as Buffer, (acc as Sketch | null) ?? new Sketch()) : acc,
    result: (acc: unknown) => (acc ? encodeSketch(acc as Sketch) : null),
  });
  // One accumulator per group, updated in place (a new pair per row was garbage on every rebuild).
  const latest = {
    start: () => ({ t: Number.NEGATIVE_INFINITY, value: null as unknown }),
    step: (acc: { t: number; value: unknown }, t: unknown, value: unknown) => {
      if ((t as number) >= acc.t) {
        acc.t = t as number;
        acc.value = value;
      }
      return acc;
    },
    result: (acc: { t: number; value: unknown }) => acc.value,
  };
  // Two arguments (time, value): the driver's types only describe one-argument aggregates.
  db.aggregate('latest', latest as unknown as Parameters<typeof db.aggregate>[1]);

  const sampleStatements = (res: number) => ({
    upsert: db.prepare(
      `INSERT INTO samples_${res} (series_id, t, count, sum, min, max, last, last_t, sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, t) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum,
         min = min(min, excluded.min), max = max(max, excluded.max),
         last = CASE WHEN excluded.last_t >= last_t THEN excluded.last ELSE last END,
         last_t = max(last_t, excluded.last_t), sketch = sketch_merge(sketch, excluded.sketch)`,
    ),
    read: db.prepare<[number, number, number], SampleBucket>(
      `SELECT series_id AS seriesId, t, count, sum, min, max, last, last_t AS lastT, sketch
       FROM samples_${res} WHERE series_id = ? AND t >= ? AND t < ?`,
    ),
    expire: db.prepare(`DELETE FROM samples_${res} WHERE series_id = ? AND t < ?`),
    forget: db.prepare(`DELETE FROM samples_${res} WHERE series_id IN (SELECT id FROM series WHERE service = ?)`),
  });

  const routeStatements = (res: number) => ({
    upsert: db.prepare(
      `INSERT INTO red_route_${res} (service, route, t, count, errors, sketch)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (service, route, t) DO UPDATE SET count = count + excluded.count,
         errors = errors + excluded.errors, sketch = sketch_merge(sketch, excluded.sketch)`,
    ),
    // The key is (service, route, t): a range of t within a service is one range per route. Without this,
    // SQLite scanned every row of the service (each with its sketch) for any time range. The CTE walks the
    // service's routes by index seeks (a loose index scan), then reads each route's range.
    read: db.prepare<[{ service: string; from: number; to: number }], RedRow>(
      `WITH RECURSIVE routes (route) AS (
         SELECT min(route) FROM red_route_${res} WHERE service = @service
         UNION ALL
         SELECT (SELECT min(route) FROM red_route_${res} WHERE service = @service AND route > routes.route)
         FROM routes WHERE routes.route IS NOT NULL
       )
       SELECT r.service, r.route, r.t, r.count, r.errors, r.sketch FROM routes CROSS JOIN red_route_${res} AS r
       WHERE r.service = @service AND r.route = routes.route AND r.t >= @from AND r.t < @to`,
    ),
    expire: db.prepare(`DELETE FROM red_route_${res} WHERE service = ? AND t < ?`),
    forget: db.prepare(`DELETE FROM red_route_${res} WHERE service = ?`),
  });

  const tiers = TIER_RESOLUTIONS.map((res, i) => ({
    samples: i >= SAMPLE_TIER_FROM ? sampleStatements(res) : null,
    routes: i >= ROUTE_TIER_FROM ? routeStatements(res) : null,
    upsertRedService: db.prepare(
      `INSERT INTO red_service_${res} (service, t, count, errors, sketch) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (service, t) DO UPDATE SET count = count + excluded.count, errors = errors + excluded.errors,
         sketch = sketch_merge(sketch, excluded.sketch)`,
    ),
    readRedService: db.prepare<[string, number, number], RedRow>(
      `SELECT service, t, count, errors, sketch FROM red_service_${res} WHERE service = ? AND t >= ? AND t < ?`,
    ),
    expireRedService: db.prepare(`DELETE FROM red_service_${res} WHERE service = ? AND t < ?`),
    forgetRedService: db.prepare(`DELETE FROM red_service_${res} WHERE service = ?`),
  }));

  const materializeTier = (tier: number) => {
    const res = TIER_RESOLUTIONS[tier]!;
    const source = TIER_RESOLUTIONS[tier - 1]!;
    const bucket = `(t / ${res}) * ${res}`;
    // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the upsert, not the SELECT.
    return [
      db.prepare(
        `INSERT INTO samples_${res} (series_id, t, count, sum, min, max, last, last_t, sketch)
         SELECT series_id, ${bucket}, sum(count), sum(sum), min(min), max(max), latest(last_t, last), max(last_t),
           sketch_merge_all(sketch)
         FROM samples_${source} WHERE t >= ? AND t < ? AND series_id >= ? AND series_id < ? AND true
         GROUP BY series_id, ${bucket}
         ON CONFLICT (series_id, t) DO UPDATE SET count = excluded.count, sum = excluded.sum, min = excluded.min,
           max = excluded.max, last = excluded.last, last_t = excluded.last_t, sketch = excluded.sketch`,
      ),
      db.prepare(
        `INSERT INTO red_service_${res} (service, t, count, errors, sketch)
         SELECT service, ${bucket}, sum(count), sum(errors), sketch_merge_all(sketch)
         FROM red_service_${source} WHERE t >= ? AND t < ? AND true GROUP BY service, ${bucket}
         ON CONFLICT (service, t) DO UPDATE SET count = excluded.count, errors = excluded.errors, sketch = excluded.sketch`,
      ),
      db.prepare(
        `INSERT INTO red_route_${res} (service, route, t, count, errors, sketch)
         SELECT service, route, ${bucket}, sum(count), sum(errors), sketch_merge_all(sketch)
         FROM red_route_${source} WHERE t >= ? AND t < ? AND true GROUP BY service, route, ${bucket}
         ON CONFLICT (service, route, t) DO UPDATE SET count = excluded.count, errors = excluded.errors,
           sketch = excluded.sketch`,
      ),
    ];
  };
  const materializeStatements = TIER_RESOLUTIONS.map((_, tier) =>
    tier >= MATERIALIZED_FROM ? materializeTier(tier) : [],
  );
  const buildBuckets = db.transaction((tier: number, from: number, to: number, part: BuildPart) => {
    if (tier < MATERIALIZED_FROM) throw new RangeError(`tier ${tier} is written directly, not built`);
    const [samples, redService, redRoute] = materializeStatements[tier]!;
    if (part.kind === 'series') samples!.run(from, to, part.fromId, part.toId);
    else {
      redService!.run(from, to);
      redRoute!.run(from, to);
    }
  });
  const markDirty = db.prepare('INSERT OR IGNORE INTO dirty_buckets (tier, t) VALUES (?, ?)');
  const markBuilt = db.prepare('DELETE FROM dirty_buckets WHERE tier = ? AND t = ?');

  const routeTier = (tier: number) => {
    const statements = tiers[tier]?.routes;
    if (!statements) throw new RangeError(`tier ${tier} keeps no per-route rollups`);
    return statements;
  };

  const sampleTier = (tier: number) => {
    const statements = tiers[tier]?.samples;
    if (!statements) throw new RangeError(`tier ${tier} keeps no per-series samples`);
    return statements;
  };

  const insertSeries = db.prepare(
    `INSERT INTO series (id, key, service, name, kind, unit, attributes, red, route, is_error, instance)
     VALUES (@id, @key, @service, @name, @kind, @unit, @attributes, @red, @route, @isError, @instance)`,
  );
  const touchService = db.prepare(
    `INSERT INTO services (name, first_seen, last_seen) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
       first_seen = min(first_seen, excluded.first_seen)`,
  );
  const saveCumulative = db.prepare(
    `INSERT INTO cumulative_state (key, start, time, state) VALUES (@key, @start, @time, @state)
     ON CONFLICT (key) DO UPDATE SET start = excluded.start, time = excluded.time, state = excluded.state`,
  );
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  const write = db.transaction((set: WriteSet) => {
    for (const s of set.newSeries) {
      insertSeries.run({
        ...s,
        attributes: attributesJson(s),
        red: s.red ? 1 : 0,
        isError: s.isError ? 1 : 0,
      });
    }
    for (const [service, seen] of set.serviceSeen) touchService.run(service, seen, seen);
    for (const c of set.cumulative ?? []) saveCumulative.run(c);
    for (const [tier, t] of set.dirty ?? []) markDirty.run(tier, t);
    set.samples.forEach((buckets, tier) => {
      if (buckets.length === 0) return;
      const statement = sampleTier(tier).upsert;
      // Positional binding: measurably cheaper than named parameters on the hottest statement.
      for (const b of buckets) statement.run(b.seriesId, b.t, b.count, b.sum, b.min, b.max, b.last, b.lastT, b.sketch);
    });
    set.redServices.forEach((buckets, tier) => {
      const statement = tiers[tier]!.upsertRedService;
      for (const b of buckets) statement.run(b.service, b.t, b.count, b.errors, b.sketch);
    });
    set.redRoutes.forEach((buckets, tier) => {
      if (buckets.length === 0) return;
      const statement = routeTier(tier).upsert;
      for (const b of buckets) statement.run(b.service, b.route ?? NO_ROUTE, b.t, b.count, b.errors, b.sketch);
    });
    for (const columns of set.columns ?? []) {
      columns.forEachSample((tier, seriesId, t, count, sum, min, max, last, lastT, sketch) => {
        sampleTier(tier).upsert.run(seriesId, t, count, sum, min, max, last, lastT, sketch);
      });
      columns.forEachRed((tier, service, route, t, count, errors, sketch) => {
        if (route === undefined) tiers[tier]!.upsertRedService.run(service, t, count, errors, sketch);
        else routeTier(tier).upsert.run(service, route ?? NO_ROUTE, t, count, errors, sketch);
      });
    }
  });

  const deleteService = db.transaction((name: string) => {
    for (const tier of tiers) {
      tier.samples?.forget.run(name);
      tier.forgetRedService.run(name);
      tier.routes?.forget.run(name);
    }
    db.prepare('DELETE FROM series WHERE service = ?').run(name);
    // Cumulative state is keyed by series key, which starts with the service name and a NUL.
    db.prepare('DELETE FROM cumulative_state WHERE key >= ? AND key < ?').run(`${name}\u0000`, `${name}\u0001`);
    return db.prepare('DELETE FROM services WHERE name = ?').run(name).changes > 0;
  });

  const expire = db.transaction(
    (tier: number, cutoff: number, seriesIds: readonly number[], services: readonly string[]) => {
      const statements = tiers[tier]!;
      let deleted = 0;
      const expireSamples = statements.samples?.expire;
      if (expireSamples) for (const id of seriesIds) deleted += expireSamples.run(id, cutoff).changes;
      for (const name of services) {
        deleted += statements.expireRedService.run(name, cutoff).changes;
        if (statements.routes) deleted += statements.routes.expire.run(name, cutoff).changes;
      }
      return deleted;
    },
  );

  return {
    db,
    loadSeries: function* () {
      // Row by row, attributes left in the key: at the series limit a whole array of parsed rows did not fit
      // the heap cap next to the registry being built from it.
      for (const r of db
        .prepare<[], SeriesRow>(
          'SELECT id, key, service, name, kind, unit, red, route, is_error, instance FROM series ORDER BY id',
        )
        .iterate()) {
        yield {
          id: r.id,
          key: r.key,
          service: r.service,
          name: r.name,
          kind: r.kind,
          unit: r.unit,
          red: r.red === 1,
          route: r.route,
          isError: r.is_error === 1,
          instance: r.instance,
        };
      }
    },
    forgetCumulativeBefore: (time) => db.prepare('DELETE FROM cumulative_state WHERE time < ?').run(time).changes,
    loadCumulativeState: () =>
      db.prepare<[], CumulativeState>('SELECT key, start, time, state FROM cumulative_state').all(),
    write: (set) => write.immediate(set),
    readRed: (read: RedRead) => {
      const tier = tiers[read.tier]!;
      const out: RedBucket[] = [];
      for (const service of read.services) {
        const rows = read.byRoute
          ? routeTier(read.tier).read.iterate({ service, from: read.from, to: read.to })
          : tier.readRedService.iterate(service, read.from, read.to);
        for (const row of rows) {
          out.push({
            service: row.service,
            ...(read.byRoute ? { route: row.route === NO_ROUTE ? null : (row.route ?? null) } : {}),
            t: row.t,
            count: row.count,
            errors: row.errors,
            sketch: row.sketch,
          });
        }
      }
      return out;
    },
    readSamples: (tier: TierIndex, seriesIds, from, to) => {
      const statement = sampleTier(tier).read;
      const out: SampleBucket[] = [];
      for (const id of seriesIds) for (const row of statement.iterate(id, from, to)) out.push(row);
      return out;
    },
    services: () =>
      db
        .prepare<[], { name: string; first_seen: number; last_seen: number }>('SELECT * FROM services ORDER BY name')
        .all()
        .map((r) => ({ name: r.name, firstSeen: r.first_seen, lastSeen: r.last_seen })),
    deleteService: (name) => deleteService.immediate(name),
    expire: (tier, cutoff, seriesIds, services) => expire.immediate(tier, cutoff, seriesIds, services),
    buildBuckets: (tier, from, to, part) => buildBuckets.immediate(tier, from, to, part),
    markBuilt: (tier, t) => {
      markBuilt.run(tier, t);
    },
    loadDirty: () =>
      db
        .prepare<[], { tier: number; t: number }>('SELECT tier, t FROM dirty_buckets')
        .all()
        .map((r): [number, number] => [r.tier, r.t]),
    getMeta: (key) => getMeta.get(key)?.value ?? null,
    setMeta: (key, value) => {
      setMeta.run(key, value);
    },
    sizeBytes: () => {
      const row = db
        .prepare<[], { bytes: number }>(
          'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()',
        )
        .get();
      return row?.bytes ?? 0;
    },
    close: () => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      release();
    },
  };
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    }).immediate();
  });
}
