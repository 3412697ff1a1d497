import type { AlertsQuery } from '../hooks/useAlerts.ts';
import { useLatestSecond } from '../hooks/useLatestSecond.ts';
import { useNow } from '../hooks/useNow.ts';
import { AlertItem } from './alerts/AlertItem.tsx';
import { ofServices, orderAlerts } from './alerts/alert-list.ts';
import { QueryState } from './QueryState.tsx';

/** The shown services' alerts (null: all): firing first, by severity, then pending, then the most recently resolved. */
export function AlertPanel({ query, services }: { query: AlertsQuery; services: readonly string[] | null }) {
  const now = useNow();
  const alerts = query.data ? orderAlerts(ofServices(query.data, services)) : [];
  const live = useLatestSecond(alerts.some((a) => a.state !== 'resolved'));
  return (
    <section className="panel" aria-labelledby="alerts-title" data-testid="alert-panel" data-state={query.status}>
      <div className="panel-head">
        <h2 id="alerts-title">Alerts</h2>
      </div>
      <QueryState query={query} what="alerts" height={60} />
      {query.status === 'ready' && alerts.length === 0 && (
        <p className="muted" role="status">
          No alerts firing or recently resolved.
        </p>
      )}
      {alerts.length > 0 && (
        <ul className="alert-list">
          {alerts.map((alert) => (
            <AlertItem key={alert.id} alert={alert} now={now} live={live} onAcked={query.update} />
          ))}
        </ul>
      )}
    </section>
  );
}
