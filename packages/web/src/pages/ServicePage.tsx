import type { RedSource } from '@pulseboard/shared';
import { useMemo } from 'react';
import { AlertPanel } from '../components/AlertPanel.tsx';
import { countFiring } from '../components/alerts/alert-list.ts';
import { ErrorRateChart } from '../components/charts/ErrorRateChart.tsx';
import { ResponseTimeChart } from '../components/charts/ResponseTimeChart.tsx';
import { ThroughputChart } from '../components/charts/ThroughputChart.tsx';
import { StatCards } from '../components/StatCards.tsx';
import { useRoutes } from '../hooks/useResources.ts';
import { CallsTable } from './CallsTable.tsx';
import { DeleteService } from './DeleteService.tsx';
import { OtherMetrics } from './OtherMetrics.tsx';
import type { PageProps } from './props.ts';
import { RoutesTable } from './RoutesTable.tsx';
import { routesSeconds } from './routes.ts';

/** What the page says about where the service's RED comes from (see GET /api/v1/services `redSource`). */
const SOURCE_LABELS: Record<RedSource, { text: string; title: string }> = {
  metrics: { text: 'RED from metrics', title: 'Requests are its http.server.request.duration metrics' },
  traces: { text: 'RED from traces', title: 'Requests are its SERVER and CONSUMER spans, scaled by their sampling' },
  'sampled-traces': {
    text: 'from sampled traces',
    title: 'Requests are its spans as received: they do not say how they were sampled, so rates may be low',
  },
};

/**
 * One service: its stat cards, RED over time (and where it comes from), routes, calls, alerts and other metrics,
 * and a way to delete it.
 */
export function ServicePage({
  view,
  navigate,
  onZoom,
  service,
  alerts,
  redSource,
  onDeleted,
}: PageProps & { service: string; redSource?: RedSource | undefined; onDeleted: () => void }) {
  const services = useMemo(() => [service], [service]);
  const range = { from: view.from, to: view.to };
  // One read of the routes and of the time the service's data covers: the routes' and the calls' rates are
  // both over that time.
  const routes = useRoutes(range, service);
  const covered = useMemo(() => (routes.data ? routesSeconds(routes.data) : null), [routes.data]);
  return (
    <>
      <h2 className="page-title">
        <span data-testid="service-title">{service}</span>
        {redSource && (
          <span className="badge" data-testid="red-source" title={SOURCE_LABELS[redSource].title}>
            {SOURCE_LABELS[redSource].text}
          </span>
        )}
        <button type="button" className="link-button" onClick={() => navigate({ page: { name: 'overview' } })}>
          ← All services
        </button>
      </h2>
      <StatCards range={range} services={services} activeAlerts={countFiring(alerts.data, services)} />
      <div className="grid-2">
        <ResponseTimeChart range={range} services={services} service={service} onZoom={onZoom} alerts={alerts.data} />
        <ThroughputChart range={range} services={services} onZoom={onZoom} />
        <ErrorRateChart range={range} services={services} onZoom={onZoom} alerts={alerts.data} />
        <RoutesTable view={view} navigate={navigate} query={routes} />
      </div>
      <CallsTable view={view} service={service} coveredSeconds={covered} />
      <AlertPanel query={alerts} services={services} />
      <OtherMetrics view={view} navigate={navigate} service={service} onZoom={onZoom} />
      {/* Keyed: the question asked about one service must not stay open on the next one's page. */}
      <DeleteService key={service} service={service} onDeleted={onDeleted} />
    </>
  );
}
