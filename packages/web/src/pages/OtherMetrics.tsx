import { RED_METRIC, SERIES_STATS } from '@pulseboard/shared';
import { useId } from 'react';
import { MetricChart } from '../components/charts/MetricChart.tsx';
import { useMetricList } from '../hooks/useResources.ts';
import type { Navigate } from '../hooks/useView.ts';
import type { ViewState } from '../state/view.ts';

const statsOf = (type: string): readonly string[] =>
  type === 'gauge' || type === 'counter' || type === 'histogram' ? SERIES_STATS[type] : [];

export interface OtherMetricsProps {
  view: ViewState;
  navigate: Navigate;
  service: string;
  onZoom: (from: number, to: number) => void;
}

/** The service's metrics besides RED, and a chart of the one picked (metric and stat are in the URL). */
export function OtherMetrics({ view, navigate, service, onZoom }: OtherMetricsProps) {
  const list = useMetricList(service);
  const metricId = useId();
  const statId = useId();
  const metrics = list.data?.metrics.filter((m) => m.name !== RED_METRIC) ?? [];
  const picked = metrics.find((m) => m.name === view.metric) ?? metrics[0];
  const stats = picked ? statsOf(picked.type) : [];
  const stat = view.stat && stats.includes(view.stat) ? view.stat : (stats[0] ?? null);
  const pickers = picked && (
    <>
      <label htmlFor={metricId}>Metric</label>
      <select
        id={metricId}
        value={picked.name}
        onChange={(e) => navigate({ metric: e.target.value, stat: null }, { replace: true })}
      >
        {metrics.map((m) => (
          <option key={m.name} value={m.name}>
            {m.name} ({m.type}
            {m.unit ? `, ${m.unit}` : ''})
          </option>
        ))}
      </select>
      <label htmlFor={statId}>Stat</label>
      <select id={statId} value={stat ?? ''} onChange={(e) => navigate({ stat: e.target.value }, { replace: true })}>
        {stats.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <MetricChart
      range={{ from: view.from, to: view.to }}
      service={service}
      metric={picked?.name ?? null}
      unit={picked?.unit ?? ''}
      stat={stat}
      listQuery={list}
      noMetrics={list.status === 'ready' && metrics.length === 0}
      actions={pickers}
      onZoom={onZoom}
    />
  );
}
