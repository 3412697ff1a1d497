import type { Alert } from '@pulseboard/shared';
import { formatDateTime } from '../format.ts';
import type { LiveQuery } from '../hooks/useLiveQuery.ts';
import { ServiceLink } from './ServiceLink.tsx';

const RECENT = 20;

const SEVERITY_ORDER: Record<Alert['severity'], number> = { critical: 0, warning: 1, info: 2 };

/** Firing alerts first, by severity, then pending, then the most recently resolved. */
function ordered(alerts: Alert[]): Alert[] {
  const open = (a: Alert) => (a.state === 'firing' ? 0 : 1);
  const firing = alerts
    .filter((a) => a.state !== 'resolved')
    .sort(
      (a, b) =>
        open(a) - open(b) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.startedAt - a.startedAt,
    );
  const resolved = alerts
    .filter((a) => a.state === 'resolved')
    .sort((a, b) => (b.resolvedAt ?? b.startedAt) - (a.resolvedAt ?? a.startedAt));
  return [...firing, ...resolved].slice(0, RECENT);
}

export function AlertPanel({ query }: { query: LiveQuery<Alert[]> }) {
  const alerts = query.data ? ordered(query.data) : [];
  return (
    <section className="panel" aria-labelledby="alerts-title" data-testid="alert-panel" data-state={query.status}>
      <div className="panel-head">
        <h2 id="alerts-title">Alerts</h2>
      </div>
      {query.status === 'loading' && (
        <div className="skeleton" style={{ height: 60 }} role="status" aria-label="Loading" />
      )}
      {query.status === 'error' && (
        <div className="state" role="alert">
          <span className="error-text">Could not load alerts: {query.error?.message}</span>
          <button type="button" onClick={query.retry}>
            Retry
          </button>
        </div>
      )}
      {query.status === 'ready' && alerts.length === 0 && (
        <p className="muted" role="status">
          No alerts firing or recently resolved.
        </p>
      )}
      {alerts.length > 0 && (
        <ul className="alert-list">
          {alerts.map((alert) => (
            <li key={String(alert.id)} className={`alert alert-${alert.state}`}>
              <div>
                <span className={`badge badge-${alert.severity}`}>{alert.severity}</span>{' '}
                <strong>{alert.ruleName}</strong> on <ServiceLink service={alert.service} /> — {alert.state}
                {alert.silenced && ' (silenced)'}
              </div>
              <div className="muted">
                value {alert.value ?? '–'}
                {alert.threshold != null && `, threshold ${alert.threshold}`}
                {alert.baseline != null && `, baseline ${alert.baseline}`} · since {formatDateTime(alert.startedAt)}
                {alert.resolvedAt != null && ` · resolved ${formatDateTime(alert.resolvedAt)}`}
              </div>
              <div>{alert.reason}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
