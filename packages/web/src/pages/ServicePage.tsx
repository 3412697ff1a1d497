import { useMemo } from 'react';
import { ErrorRateChart } from '../components/charts/ErrorRateChart.tsx';
import { ResponseTimeChart } from '../components/charts/ResponseTimeChart.tsx';
import { ThroughputChart } from '../components/charts/ThroughputChart.tsx';
import { OtherMetrics } from './OtherMetrics.tsx';
import type { PageProps } from './props.ts';
import { RoutesTable } from './RoutesTable.tsx';

/** One service: its RED over time, its routes, and its other metrics. */
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
      <div className="grid-2">
        <ResponseTimeChart range={range} services={services} service={service} onZoom={onZoom} alerts={alerts.data} />
        <ThroughputChart range={range} services={services} onZoom={onZoom} />
        <ErrorRateChart range={range} services={services} onZoom={onZoom} alerts={alerts.data} />
        <RoutesTable view={view} navigate={navigate} service={service} />
      </div>
      <OtherMetrics view={view} navigate={navigate} service={service} onZoom={onZoom} />
    </>
  );
}
