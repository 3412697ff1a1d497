import type { Alert, RuleBody, Silence } from '@pulseboard/shared';
import type Database from 'better-sqlite3';
import type { AlertStore, StoredRule } from '../alert-store.ts';

interface AlertRow {
  body: string;
  ack_by: string | null;
  ack_at: number | null;
}

/**
 * The alert tables (the alerts migration in migrations.ts) on the store's own connection: one file, one writer, and the
 * same WAL durability as the metrics. Bodies are JSON so fields can be added without a migration; the
 * columns beside them are what queries filter on.
 */
export function openSqliteAlertStore(db: Database.Database): AlertStore {
  const rules = {
    list: db.prepare<[], { id: string; body: string; created_at: number; updated_at: number }>(
      'SELECT id, body, created_at, updated_at FROM alert_rules ORDER BY created_at, id',
    ),
    insert: db.prepare('INSERT INTO alert_rules (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)'),
    update: db.prepare('UPDATE alert_rules SET body = ?, updated_at = ? WHERE id = ?'),
    delete: db.prepare('DELETE FROM alert_rules WHERE id = ?'),
  };
  const alerts = {
    save: db.prepare(
      `INSERT INTO alerts (id, rule_id, service, state, started_at, resolved_at, body)
       VALUES (@id, @ruleId, @service, @state, @startedAt, @resolvedAt, @body)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, resolved_at = excluded.resolved_at,
         body = excluded.body`,
    ),
    delete: db.prepare('DELETE FROM alerts WHERE id = ?'),
    get: db.prepare<[string], AlertRow>('SELECT body, ack_by, ack_at FROM alerts WHERE id = ?'),
    open: db.prepare<[], AlertRow>(
      "SELECT body, ack_by, ack_at FROM alerts WHERE state != 'resolved' ORDER BY started_at DESC",
    ),
    selected: db.prepare<{ ruleId: string | null; service: string | null }, AlertRow>(
      `SELECT body, ack_by, ack_at FROM alerts WHERE state != 'resolved'
         AND (@ruleId IS NULL OR rule_id = @ruleId) AND (@service IS NULL OR service = @service)
       ORDER BY started_at DESC`,
    ),
    resolved: db.prepare<[number], AlertRow>(
      "SELECT body, ack_by, ack_at FROM alerts WHERE state = 'resolved' ORDER BY resolved_at DESC LIMIT ?",
    ),
    ack: db.prepare('UPDATE alerts SET ack_by = ?, ack_at = ? WHERE id = ?'),
    prune: db.prepare("DELETE FROM alerts WHERE state = 'resolved' AND resolved_at < ?"),
  };
  const silences = {
    insert: db.prepare(
      'INSERT INTO alert_silences (id, rule_id, service, starts_at, ends_at, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    delete: db.prepare('DELETE FROM alert_silences WHERE id = ?'),
    active: db.prepare<[number], { body: string }>(
      'SELECT body FROM alert_silences WHERE ends_at > ? ORDER BY starts_at, id',
    ),
    prune: db.prepare('DELETE FROM alert_silences WHERE ends_at < ?'),
  };

  const toAlert = (row: AlertRow): Alert => {
    const alert = JSON.parse(row.body) as Alert;
    if (row.ack_by !== null && row.ack_at !== null) {
      alert.acknowledgedBy = row.ack_by;
      alert.acknowledgedAt = row.ack_at;
    }
    return alert;
  };

  return {
    listRules: async () =>
      rules.list.all().map((r) => ({
        id: r.id,
        body: JSON.parse(r.body) as RuleBody,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      })),
    insertRule: async (rule: StoredRule) => {
      rules.insert.run(rule.id, JSON.stringify(rule.body), rule.createdAt, rule.updatedAt);
    },
    updateRule: async (id, body, updatedAt) => rules.update.run(JSON.stringify(body), updatedAt, id).changes > 0,
    deleteRule: async (id) => rules.delete.run(id).changes > 0,

    saveAlert: async (alert) => {
      // Acknowledgements live in their own columns, so saving a later state never loses one.
      const { acknowledgedBy: _by, acknowledgedAt: _at, ...rest } = alert;
      alerts.save.run({
        id: alert.id,
        ruleId: alert.ruleId,
        service: alert.service,
        state: alert.state,
        startedAt: alert.startedAt,
        resolvedAt: alert.resolvedAt ?? null,
        body: JSON.stringify(rest),
      });
    },
    deleteAlert: async (id) => {
      alerts.delete.run(id);
    },
    getAlert: async (id) => {
      const row = alerts.get.get(id);
      return row ? toAlert(row) : null;
    },
    openAlerts: async () => alerts.open.all().map(toAlert),
    openSelected: async ({ ruleId, service }) =>
      alerts.selected.all({ ruleId: ruleId ?? null, service: service ?? null }).map(toAlert),
    alerts: async (query) => {
      const wanted = new Set(query.states);
      const open = wanted.has('pending') || wanted.has('firing') ? alerts.open.all().map(toAlert) : [];
      const resolved = wanted.has('resolved') ? alerts.resolved.all(query.resolvedLimit).map(toAlert) : [];
      return [...open.filter((a) => wanted.has(a.state)), ...resolved];
    },
    acknowledge: async (id, by, at) => {
      if (alerts.ack.run(by, at, id).changes === 0) return null;
      const row = alerts.get.get(id);
      return row ? toAlert(row) : null;
    },
    pruneResolved: async (before) => alerts.prune.run(before).changes,

    insertSilence: async (s: Silence) => {
      silences.insert.run(s.id, s.ruleId ?? null, s.service ?? null, s.startsAt, s.endsAt, JSON.stringify(s));
    },
    deleteSilence: async (id) => silences.delete.run(id).changes > 0,
    activeSilences: async (now) => silences.active.all(now).map((r) => JSON.parse(r.body) as Silence),
    pruneSilences: async (before) => silences.prune.run(before).changes,
  };
}
