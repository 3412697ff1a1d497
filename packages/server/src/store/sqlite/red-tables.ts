import type Database from 'better-sqlite3';
import { MATERIALIZED_FROM, ROUTE_TIER_FROM, TIER_RESOLUTIONS } from '../../model.ts';
import type { RedRowSink } from '../rows.ts';
import type { RedBucket, RedRead } from '../store.ts';

/** A route-less request is stored under the empty route (read back as null): NULL cannot be in a primary key here. */
const NO_ROUTE = '';

/**
 * The RED rollup tables: `red_service_<resolution>` (a service's requests over all its routes) in every
 * tier, and `red_route_<resolution>` (per service and route) in the tiers from ROUTE_TIER_FROM.
 */
export function redTables(db: Database.Database) {
  const tiers = TIER_RESOLUTIONS.map((res, tier) => ({
    service: rollupStatements(db, tier, res, false),
    route: tier >= ROUTE_TIER_FROM ? rollupStatements(db, tier, res, true) : null,
  }));
  const routeTier = (tier: number) => {
    const statements = tiers[tier]?.route;
    if (!statements) throw new RangeError(`tier ${tier} keeps no per-route rollups`);
    return statements;
  };
  return {
    /** Adds a delta into a bucket (see `Appender`); `route` undefined is the service's row over all routes. */
    upsert: ((tier, service, route, t, count, errors, sketch) => {
      if (route === undefined) tiers[tier]!.service.upsert.run(service, t, count, errors, sketch);
      else routeTier(tier).upsert.run(service, route ?? NO_ROUTE, t, count, errors, sketch);
    }) satisfies RedRowSink,
    read(read: RedRead): RedBucket[] {
      const out: RedBucket[] = [];
      const { from, to, byRoute } = read;
      const statement = byRoute ? routeTier(read.tier).read : tiers[read.tier]!.service.read;
      for (const service of read.services) {
        for (const [route, t, count, errors, sketch] of statement.all({ service, from, to })) {
          out.push(
            byRoute
              ? { service, route: route === NO_ROUTE ? null : route, t, count, errors, sketch }
              : { service, t, count, errors, sketch },
          );
        }
      }
      return out;
    },
    /** Replaces `tier`'s rollups in [from, to) by the tier below's, one service at a time (see `build`). */
    build(tier: number, from: number, to: number): void {
      for (const statements of [tiers[tier]!.service, tiers[tier]!.route]) {
        const { build, firstService, nextService } = statements ?? {};
        if (!build || !firstService || !nextService)
          throw new RangeError(`tier ${tier} is written directly, not built`);
        for (let service = firstService.get(); service != null; service = nextService.get(service)) {
          build.run({ service, from, to });
        }
      }
    },
    expire(tier: number, cutoff: number, services: readonly string[]): number {
      const { service, route } = tiers[tier]!;
      let deleted = 0;
      for (const name of services) {
        deleted += service.expire.run(name, cutoff).changes;
        if (route) deleted += route.expire.run(name, cutoff).changes;
      }
      return deleted;
    },
    forgetService(name: string): void {
      for (const { service, route } of tiers) {
        service.forget.run(name);
        route?.forget.run(name);
      }
    },
  };
}

/** The service and bucket starts [from, to) one read asks for. */
type ReadRange = { service: string; from: number; to: number };

/**
 * The statements of one rollup table: `red_service_<res>` keyed by (service, t), or `red_route_<res>` keyed
 * by (service, route, t).
 */
function rollupStatements(db: Database.Database, tier: number, res: number, byRoute: boolean) {
  const table = byRoute ? `red_route_${res}` : `red_service_${res}`;
  const source = byRoute ? `red_route_${TIER_RESOLUTIONS[tier - 1]}` : `red_service_${TIER_RESOLUTIONS[tier - 1]}`;
  const key = byRoute ? 'service, route' : 'service';
  const bucket = `(t / ${res}) * ${res}`;
  return {
    upsert: db.prepare(
      `INSERT INTO ${table} (${key}, t, count, errors, sketch) VALUES (${byRoute ? '?, ' : ''}?, ?, ?, ?, ?)
       ON CONFLICT (${key}, t) DO UPDATE SET count = count + excluded.count, errors = errors + excluded.errors,
         sketch = sketch_merge(sketch, excluded.sketch)`,
    ),
    // The route table's key is (service, route, t): a range of t within a service is one range per route.
    // Without this, SQLite scanned every row of the service (each with its sketch) for any time range. The
    // CTE walks the service's routes by index seeks (a loose index scan), then reads each route's range.
    // Rows come as arrays, without the service asked for: better-sqlite3 builds an object row key by key,
    // about a quarter of a read by route over an hour (3,000 rows).
    read: db
      .prepare<[ReadRange], [route: string | null, t: number, count: number, errors: number, sketch: Buffer]>(
        byRoute
          ? `${routeWalk(table)}
             SELECT r.route, r.t, r.count, r.errors, r.sketch
             FROM routes CROSS JOIN ${table} AS r
             WHERE r.service = @service AND r.route = routes.route AND r.t >= @from AND r.t < @to`
          : `SELECT NULL, t, count, errors, sketch FROM ${table} WHERE service = @service AND t >= @from AND t < @to`,
      )
      .raw(),
    // A build reads one service's buckets in [from, to) by seeks on the key (per route, through the same
    // walk of its routes as `read`); the services are walked by `nextService`. With only a range of t,
    // SQLite scanned the whole source table, all of its retention, to rebuild one minute.
    // `WHERE true` tells SQLite's parser the ON CONFLICT belongs to the upsert, not the SELECT.
    build:
      tier >= MATERIALIZED_FROM
        ? db.prepare<[ReadRange]>(
            `${byRoute ? routeWalk(source) : ''}
             INSERT INTO ${table} (${key}, t, count, errors, sketch)
             SELECT ${byRoute ? 'r.service, r.route' : 'r.service'}, ${bucket}, sum(count), sum(errors), sketch_merge_all(sketch)
             FROM ${byRoute ? `routes CROSS JOIN ${source} AS r` : `${source} AS r`}
             WHERE r.service = @service ${byRoute ? 'AND r.route = routes.route' : ''}
               AND r.t >= @from AND r.t < @to AND true
             GROUP BY ${byRoute ? 'r.route, ' : ''}${bucket}
             ON CONFLICT (${key}, t) DO UPDATE SET count = excluded.count, errors = excluded.errors,
               sketch = excluded.sketch`,
          )
        : null,
    /** The services with rows in the tier below, in order: the first, and the one after a given one (null past the last). */
    firstService:
      tier >= MATERIALIZED_FROM ? db.prepare<[], string | null>(`SELECT min(service) FROM ${source}`).pluck() : null,
    nextService:
      tier >= MATERIALIZED_FROM
        ? db.prepare<[string], string | null>(`SELECT min(service) FROM ${source} WHERE service > ?`).pluck()
        : null,
    expire: db.prepare(`DELETE FROM ${table} WHERE service = ? AND t < ?`),
    forget: db.prepare(`DELETE FROM ${table} WHERE service = ?`),
  };
}

/** `routes`: the routes of @service in `table`, walked by index seeks (a loose index scan), for a CROSS JOIN. */
function routeWalk(table: string): string {
  return `WITH RECURSIVE routes (route) AS (
    SELECT min(route) FROM ${table} WHERE service = @service
    UNION ALL
    SELECT (SELECT min(route) FROM ${table} WHERE service = @service AND route > routes.route)
    FROM routes WHERE routes.route IS NOT NULL
  )`;
}
