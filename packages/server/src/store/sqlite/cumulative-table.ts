import type Database from 'better-sqlite3';
import type { CumulativeState } from '../store.ts';

/** `cumulative_state`: the last point of each OTLP cumulative series, written with the deltas it produced. */
export function cumulativeTable(db: Database.Database) {
  const save = db.prepare(
    `INSERT INTO cumulative_state (key, start, time, state) VALUES (@key, @start, @time, @state)
     ON CONFLICT (key) DO UPDATE SET start = excluded.start, time = excluded.time, state = excluded.state`,
  );
  return {
    save(state: CumulativeState): void {
      save.run(state);
    },
    load: (): CumulativeState[] =>
      db.prepare<[], CumulativeState>('SELECT key, start, time, state FROM cumulative_state').all(),
    forgetBefore: (time: number): number => db.prepare('DELETE FROM cumulative_state WHERE time < ?').run(time).changes,
    forgetService(name: string): void {
      // Keyed by series key, which starts with the service name and a NUL.
      db.prepare('DELETE FROM cumulative_state WHERE key >= ? AND key < ?').run(`${name}\u0000`, `${name}\u0001`);
    },
  };
}
