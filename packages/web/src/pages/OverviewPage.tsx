import type { Services } from '../api/endpoints.ts';
import { AlertPanel } from '../components/AlertPanel.tsx';
import { countFiring } from '../components/alerts/alert-list.ts';
import { ErrorRateChart } from '../components/charts/ErrorRateChart.tsx';
import { HealthHeatmap } from '../components/charts/HealthHeatmap.tsx';
import { ResponseTimeChart } from '../components/charts/ResponseTimeChart.tsx';
import { ThroughputChart } from '../components/charts/ThroughputChart.tsx';
import { StatCards } from '../components/StatCards.tsx';
import type { PageProps } from './props.ts';

/** Every view of the selected services (all when none are selected). */
export function OverviewPage({ view, navigate, alerts, onZoom, config }: PageProps) {
  const services: Services = view.services.length > 0 ? view.services : null;
  const range = { from: view.from, to: view.to };
  const openService = (service: string) => navigate({ page: { name: 'service', service } });
  const firing = countFiring(alerts.data, services);
  return (
    <>
      <StatCards range={range} services={services} activeAlerts={firing} />
      <div className="grid-2">
        <ResponseTimeChart
          range={range}
          services={services}
          service={view.latency}
          onPick={(latency) => navigate({ latency }, { replace: true })}
          onZoom={onZoom}
          alerts={alerts.data}
        />
        <ThroughputChart range={range} services={services} onZoom={onZoom} onService={openService} />
        <ErrorRateChart
          range={range}
          services={services}
          onZoom={onZoom}
          onService={openService}
          alerts={alerts.data}
        />
        <HealthHeatmap range={range} services={services} targets={config.healthTargets} onService={openService} />
      </div>
      <AlertPanel query={alerts} services={services} />
    </>
  );
}
