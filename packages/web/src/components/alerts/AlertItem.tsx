import { type Alert, type LiveServiceStats, signalFormat } from '@pulseboard/shared';
import type { MouseEvent } from 'react';
import { useView } from '../../hooks/useView.ts';
import { viewUrl } from '../../state/view.ts';
import { formatDateTime } from '../../time-format.ts';
import { AckControl } from './AckControl.tsx';
import { alertRange, timeSince } from './alert-list.ts';
import { liveSignalValue } from './live-value.ts';

/**
 * One alert: what, where, since when, the numbers in the signal's unit and the reason (all as text), with its
 * actions. While it is open, `live` (the service's newest live second) shows the signal's value now.
 */
export function AlertItem({
  alert,
  now,
  live,
  onAcked,
}: {
  alert: Alert;
  now: number;
  live: Record<string, LiveServiceStats> | null;
  onAcked: (alert: Alert) => void;
}) {
  const { format } = signalFormat(alert.signal);
  const value = (v: number | null) => (v === null ? 'no data' : format(v));
  const current = alert.state !== 'resolved' && live ? liveSignalValue(alert.signal, live[alert.service]) : undefined;
  const { view, navigate } = useView();
  const page = { name: 'service' as const, service: alert.service };
  const range = alertRange(alert, now);
  const href = viewUrl({ ...view, page, ...range });
  const open = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate({ page, ...range });
  };
  const since = alert.state === 'resolved' ? (alert.resolvedAt ?? alert.startedAt) : (alert.firedAt ?? alert.startedAt);
  const sinceWord = { firing: 'firing since', pending: 'pending since', resolved: 'resolved' }[alert.state];
  return (
    <li className={`alert alert-${alert.state} alert-${alert.severity}`} data-testid="alert" data-alert-id={alert.id}>
      <div>
        <span className={`badge badge-${alert.severity}`}>{alert.severity}</span>{' '}
        <span className={`badge badge-state-${alert.state}`}>{alert.state}</span> <strong>{alert.ruleName}</strong> on{' '}
        {alert.service}
        {alert.silenced && (
          <>
            {' '}
            <span className="badge badge-silenced">silenced</span>
          </>
        )}
      </div>
      <div className="muted">
        <time dateTime={new Date(since).toISOString()} title={formatDateTime(since)}>
          {sinceWord} {timeSince(since, now)}
        </time>{' '}
        · value {value(alert.value)}
        {alert.threshold !== undefined && ` (threshold ${value(alert.threshold)})`}
        {alert.baseline !== undefined && ` (baseline ${value(alert.baseline)})`}
        {current !== undefined && (
          <span data-testid="alert-now" title="The last second, from the live feed">
            {' '}
            · now {value(current)}
          </span>
        )}
      </div>
      <div className="alert-reason">{alert.reason}</div>
      <div className="alert-actions">
        <a href={href} onClick={open}>
          View {alert.service} around this alert
        </a>
        {alert.state !== 'resolved' && <AckControl alert={alert} onAcked={onAcked} />}
      </div>
    </li>
  );
}
