import type Database from 'better-sqlite3';
import type { DirtyRow } from '../store.ts';

/** `meta` (key-value settings such as where each tier's data begins) and `dirty_buckets` (coarse buckets to rebuild). */
export function metaTables(db: Database.Database) {
  const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  const markDirty = db.prepare('INSERT OR IGNORE INTO dirty_buckets (tier, t) VALUES (?, ?)');
  const markBuilt = db.prepare('DELETE FROM dirty_buckets WHERE tier = ? AND t = ?');
  return {
    getMeta: (key: string): string | null => getMeta.get(key)?.value ?? null,
    setMeta(key: string, value: string): void {
      setMeta.run(key, value);
    },
    markDirty(tier: number, t: number): void {
      markDirty.run(tier, t);
    },
    markBuilt(tier: number, t: number): void {
      markBuilt.run(tier, t);
    },
    // One process writes this file: the materializer's versions (DirtyBuckets) see every new mark.
    loadDirty: (): DirtyRow[] =>
      db
        .prepare<[], { tier: number; t: number }>('SELECT tier, t FROM dirty_buckets')
        .all()
        .map((r): DirtyRow => [r.tier, r.t, 1]),
  };
}
