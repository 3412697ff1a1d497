import type Database from 'better-sqlite3';
import { TIER_RESOLUTIONS } from '../../model.ts';

const tierTables = (res: number) => `
CREATE TABLE samples_${res} (
  series_id INTEGER NOT NULL, t INTEGER NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
  min REAL NOT NULL, max REAL NOT NULL, last REAL NOT NULL, last_t INTEGER NOT NULL, sketch BLOB,
  PRIMARY KEY (series_id, t)
) WITHOUT ROWID;
CREATE TABLE red_service_${res} (
  service TEXT NOT NULL, t INTEGER NOT NULL, count REAL NOT NULL, errors REAL NOT NULL, sketch BLOB NOT NULL,
  PRIMARY KEY (service, t)
) WITHOUT ROWID;
CREATE TABLE red_route_${res} (
  service TEXT NOT NULL, route TEXT NOT NULL, t INTEGER NOT NULL, count REAL NOT NULL, errors REAL NOT NULL,
  sketch BLOB NOT NULL,
  PRIMARY KEY (service, route, t)
) WITHOUT ROWID;`;

/**
 * Numbered migrations, applied in order at start-up inside one transaction each; `user_version` records
 * the last applied. Append new ones; never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE services (name TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE series (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, service TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
  unit TEXT NOT NULL, attributes TEXT NOT NULL, red INTEGER NOT NULL, route TEXT, is_error INTEGER NOT NULL,
  instance TEXT
);
CREATE INDEX series_by_service ON series (service, name);
${TIER_RESOLUTIONS.map(tierTables).join('\n')}
`,
  `
CREATE TABLE cumulative_state (
  key TEXT PRIMARY KEY, start INTEGER NOT NULL, time INTEGER NOT NULL, state TEXT NOT NULL
) WITHOUT ROWID;
`,
  // Per-series buckets start at the 10 s tier; 1 s data is kept only as RED rollups (see SAMPLE_TIER_FROM).
  'DROP TABLE samples_1000;',
  // Coarse buckets (MATERIALIZED_FROM up) waiting to be rebuilt from the tier below.
  'CREATE TABLE dirty_buckets (tier INTEGER NOT NULL, t INTEGER NOT NULL, PRIMARY KEY (tier, t)) WITHOUT ROWID;',
  // Alerts: API rules, episodes (open and history) with their acknowledgement, silences. Bodies are JSON.
  `
CREATE TABLE alert_rules (
  id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE alerts (
  id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, service TEXT NOT NULL, state TEXT NOT NULL,
  started_at INTEGER NOT NULL, resolved_at INTEGER, body TEXT NOT NULL, ack_by TEXT, ack_at INTEGER
);
CREATE INDEX alerts_open ON alerts (started_at) WHERE state != 'resolved';
CREATE INDEX alerts_resolved ON alerts (resolved_at) WHERE state = 'resolved';
CREATE TABLE alert_silences (
  id TEXT PRIMARY KEY, rule_id TEXT, service TEXT, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
`,
  // Per-route rollups start at the 10 s tier (see ROUTE_TIER_FROM).
  'DROP TABLE red_route_1000;',
  // Recent 10 s per-series buckets, keyed time first: a commit of one bucket of many series dirties a few
  // pages here instead of one page per series in samples_10000; moved there in bulk (see staged-samples.ts).
  `
CREATE TABLE recent_samples_10000 (
  series_id INTEGER NOT NULL, t INTEGER NOT NULL, count REAL NOT NULL, sum REAL NOT NULL,
  min REAL NOT NULL, max REAL NOT NULL, last REAL NOT NULL, last_t INTEGER NOT NULL, sketch BLOB,
  PRIMARY KEY (t, series_id)
) WITHOUT ROWID;
`,
  // Each commit's bucket rows, kept until they are written to their tables (see write-behind.ts).
  'CREATE TABLE row_journal (id INTEGER PRIMARY KEY, rows BLOB NOT NULL);',
];

/** Applies the migrations this database has not had yet, one transaction each. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  MIGRATIONS.slice(current).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    }).immediate();
  });
}
