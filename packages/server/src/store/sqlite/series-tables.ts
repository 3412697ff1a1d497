import type Database from 'better-sqlite3';
import { attributesJson } from '../../model.ts';
import type { SeenSpan, SeriesRecord, ServiceRecord } from '../store.ts';

/** The `series` table (identities and ids) and `services` (each service's first and last seen). */
export function seriesTables(db: Database.Database) {
  const insertSeries = db.prepare(
    `INSERT INTO series (id, key, service, name, kind, unit, attributes, red, route, is_error, instance)
     VALUES (@id, @key, @service, @name, @kind, @unit, @attributes, @red, @route, @isError, @instance)`,
  );
  const touchService = db.prepare(
    `INSERT INTO services (name, first_seen, last_seen) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen),
       first_seen = min(first_seen, excluded.first_seen)`,
  );
  return {
    insert(s: SeriesRecord): void {
      insertSeries.run({ ...s, attributes: attributesJson(s), red: s.red ? 1 : 0, isError: s.isError ? 1 : 0 });
    },
    *load(): Generator<SeriesRecord> {
      // Row by row, attributes left in the key: at the series limit a whole array of parsed rows did not fit
      // the heap cap next to the registry being built from it.
      const rows = db.prepare<[], Omit<SeriesRecord, 'red' | 'isError'> & { red: number; isError: number }>(
        'SELECT id, key, service, name, kind, unit, red, route, is_error AS isError, instance FROM series ORDER BY id',
      );
      for (const r of rows.iterate()) yield { ...r, red: r.red === 1, isError: r.isError === 1 };
    },
    seeService(name: string, seen: SeenSpan): void {
      touchService.run(name, seen.first, seen.last);
    },
    services(): ServiceRecord[] {
      return db
        .prepare<[], { name: string; first_seen: number; last_seen: number }>('SELECT * FROM services ORDER BY name')
        .all()
        .map((r) => ({ name: r.name, firstSeen: r.first_seen, lastSeen: r.last_seen }));
    },
    /** Deletes a service and its series; false when it was unknown. Bucket rows go first (they join series). */
    forgetService(name: string): boolean {
      db.prepare('DELETE FROM series WHERE service = ?').run(name);
      return db.prepare('DELETE FROM services WHERE name = ?').run(name).changes > 0;
    },
  };
}
