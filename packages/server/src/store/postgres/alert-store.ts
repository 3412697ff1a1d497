import type { Alert, RuleBody, Silence } from '@pulseboard/shared';
import type pg from 'pg';
import type { AlertStore } from '../alert-store.ts';

interface AlertRow {
  body: string;
  ack_by: string | null;
  ack_at: number | null;
}

const changed = (result: pg.QueryResult) => (result.rowCount ?? 0) > 0;

function toAlert(row: AlertRow): Alert {
  const alert = JSON.parse(row.body) as Alert;
  if (row.ack_by !== null && row.ack_at !== null) {
    alert.acknowledgedBy = row.ack_by;
    alert.acknowledgedAt = row.ack_at;
  }
  return alert;
}

/**
 * The alert tables (the first migration in migrations.ts) on the store's pool: the SQLite alert store's
 * statements in PostgreSQL's dialect. Each write is one statement, committed before it answers.
 */
export function openPgAlertStore(pool: pg.Pool): AlertStore {
  const open = async () =>
    (
      await pool.query<AlertRow>(
        "SELECT body, ack_by, ack_at FROM alerts WHERE state <> 'resolved' ORDER BY started_at DESC",
      )
    ).rows.map(toAlert);
  const get = async (id: string) => {
    const { rows } = await pool.query<AlertRow>('SELECT body, ack_by, ack_at FROM alerts WHERE id = $1', [id]);
    return rows[0] ? toAlert(rows[0]) : null;
  };
  return {
    listRules: async () =>
      (
        await pool.query<{ id: string; body: string; created_at: number; updated_at: number }>(
          'SELECT id, body, created_at, updated_at FROM alert_rules ORDER BY created_at, id COLLATE "C"',
        )
      ).rows.map((r) => ({
        id: r.id,
        body: JSON.parse(r.body) as RuleBody,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
    insertRule: async (rule) => {
      await pool.query('INSERT INTO alert_rules (id, body, created_at, updated_at) VALUES ($1, $2, $3, $4)', [
        rule.id,
        JSON.stringify(rule.body),
        rule.createdAt,
        rule.updatedAt,
      ]);
    },
    updateRule: async (id, body, updatedAt) =>
      changed(
        await pool.query('UPDATE alert_rules SET body = $1, updated_at = $2 WHERE id = $3', [
          JSON.stringify(body),
          updatedAt,
          id,
        ]),
      ),
    deleteRule: async (id) => changed(await pool.query('DELETE FROM alert_rules WHERE id = $1', [id])),

    saveAlert: async (alert) => {
      // Acknowledgements live in their own columns, so saving a later state never loses one.
      const { acknowledgedBy: _by, acknowledgedAt: _at, ...rest } = alert;
      await pool.query(
        `INSERT INTO alerts (id, rule_id, service, state, started_at, resolved_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, resolved_at = EXCLUDED.resolved_at,
           body = EXCLUDED.body`,
        [
          alert.id,
          alert.ruleId,
          alert.service,
          alert.state,
          alert.startedAt,
          alert.resolvedAt ?? null,
          JSON.stringify(rest),
        ],
      );
    },
    deleteAlert: async (id) => {
      await pool.query('DELETE FROM alerts WHERE id = $1', [id]);
    },
    getAlert: get,
    openAlerts: open,
    openSelected: async ({ ruleId, service }) =>
      (
        await pool.query<AlertRow>(
          `SELECT body, ack_by, ack_at FROM alerts WHERE state <> 'resolved'
             AND ($1::text IS NULL OR rule_id = $1) AND ($2::text IS NULL OR service = $2)
           ORDER BY started_at DESC`,
          [ruleId ?? null, service ?? null],
        )
      ).rows.map(toAlert),
    alerts: async (query) => {
      const wanted = new Set(query.states);
      const openOnes = wanted.has('pending') || wanted.has('firing') ? await open() : [];
      const resolved = wanted.has('resolved')
        ? (
            await pool.query<AlertRow>(
              "SELECT body, ack_by, ack_at FROM alerts WHERE state = 'resolved' ORDER BY resolved_at DESC LIMIT $1",
              [query.resolvedLimit],
            )
          ).rows.map(toAlert)
        : [];
      return [...openOnes.filter((a) => wanted.has(a.state)), ...resolved];
    },
    acknowledge: async (id, by, at) => {
      if (!changed(await pool.query('UPDATE alerts SET ack_by = $1, ack_at = $2 WHERE id = $3', [by, at, id]))) {
        return null;
      }
      return get(id);
    },
    pruneResolved: async (before) =>
      (await pool.query("DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < $1", [before])).rowCount ?? 0,

    insertSilence: async (s: Silence) => {
      await pool.query(
        'INSERT INTO alert_silences (id, rule_id, service, starts_at, ends_at, body) VALUES ($1, $2, $3, $4, $5, $6)',
        [s.id, s.ruleId ?? null, s.service ?? null, s.startsAt, s.endsAt, JSON.stringify(s)],
      );
    },
    deleteSilence: async (id) => changed(await pool.query('DELETE FROM alert_silences WHERE id = $1', [id])),
    activeSilences: async (now) =>
      (
        await pool.query<{ body: string }>(
          'SELECT body FROM alert_silences WHERE ends_at > $1 ORDER BY starts_at, id COLLATE "C"',
          [now],
        )
      ).rows.map((r) => JSON.parse(r.body) as Silence),
    pruneSilences: async (before) =>
      (await pool.query('DELETE FROM alert_silences WHERE ends_at < $1', [before])).rowCount ?? 0,
  };
}
