import { useMemo } from 'react';
import { AlertPanel } from '../components/AlertPanel.tsx';
import { countFiring } from '../components/alerts/alert-list.ts';
import { ErrorRateChart } from '../components/charts/ErrorRateChart.tsx';
import { ResponseTimeChart } from '../components/charts/ResponseTimeChart.tsx';
import { ThroughputChart } from '../components/charts/ThroughputChart.tsx';
import { StatCards } from '../components/StatCards.tsx';
import { OtherMetrics } from './OtherMetrics.tsx';
import type { PageProps } from './props.ts';
import { RoutesTable } from './RoutesTable.tsx';

/** One service: its stat cards, RED over time, routes, alerts and other metrics. */
export function ServicePage({ view, navigate, onZoom, service, alerts }: PageProps & { service: string }) {
  const services = useMemo(() => [service], [service]);
  const range = { from: view.from, to: view.to };
  return (
    <>
      <h2 className="page-title">
        <span data-testid="service-title">{service}</span>
        <button type="button" className="link-button" onClick={() => navigate({ page: { name: 'overview' } })}>
          ← All services
        </button>
      </h2>
      <StatCards range={range} services={services} activeAlerts={countFiring(alerts.data, services)} />
      <div className="grid-2">
        <ResponseTimeChart range={range} services={services} service={service} onZoom={onZoom} alerts={alerts.data} />
        <ThroughputChart range={range} services={services} onZoom={onZoom} />
        <ErrorRateChart range={range} services={services} onZoom={onZoom} alerts={alerts.data} />
        <RoutesTable view={view} navigate={navigate} service={service} />
      </div>
      <AlertPanel query={alerts} services={services} />
      <OtherMetrics view={view} navigate={navigate} service={service} onZoom={onZoom} />
    </>
  );
}
