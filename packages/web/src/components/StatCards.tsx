import { CPU_METRIC, MEMORY_METRIC, type ServiceStats } from '@pulseboard/shared';
import { useMemo } from 'react';
import type { Services } from '../api/endpoints.ts';
import { formatBytes, formatChange, formatCount, formatMs, formatPercent, formatRate } from '../format.ts';
import type { LiveQuery } from '../hooks/useLiveQuery.ts';
import { useRed } from '../hooks/useRed.ts';
import { useOverview } from '../hooks/useResources.ts';
import { useSeries } from '../hooks/useSeries.ts';
import { totalRows } from './charts/red-rows.ts';
import { Sparkline } from './charts/Sparkline.tsx';

type Range = { from: string; to: string };
/** Which way is better, for the colour of the change: rate has no better direction. */
type Better = 'down' | 'none';

interface Card {
  label: string;
  value: number | null;
  previous: number | null;
  format: (v: number | null) => string;
  better: Better;
  spark: (number | null)[];
}

const SPARK_POINTS = 60;

/** Per-bucket totals of a gauge across services: mean (CPU) or sum (memory). */
function gaugeSpark(query: LiveQuery<{ series: { points: { value: number | null }[] }[] }>, mean: boolean) {
  const series = query.data?.series ?? [];
  const length = Math.max(0, ...series.map((s) => s.points.length));
  return Array.from({ length }, (_, i) => {
    const values = series.map((s) => s.points[i]?.value).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) return null;
    const sum = values.reduce((a, b) => a + b, 0);
    return mean ? sum / values.length : sum;
  });
}

/** The selected services together: value, change against the previous window, and a sparkline. */
export function StatCards({
  range,
  services,
  activeAlerts,
}: {
  range: Range;
  services: Services;
  activeAlerts: number | null;
}) {
  const overview = useOverview(range, services);
  const red = useRed({ range, services, maxPoints: SPARK_POINTS });
  const total = overview.data?.total;
  // Gauge sparklines only for gauges the services report: for a metric nobody sent, /series answers 404,
  // which the browser logs as an error.
  const reported = (metric: string, value: number | null | undefined) => (value == null ? null : metric);
  const cpu = useSeries({
    range,
    metric: reported(CPU_METRIC, total?.cpu),
    stat: 'avg',
    services,
    maxPoints: SPARK_POINTS,
  });
  const memory = useSeries({
    range,
    metric: reported(MEMORY_METRIC, total?.memory),
    stat: 'avg',
    services,
    maxPoints: SPARK_POINTS,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks live changes inside the buckets.
  const totals = useMemo(() => (red.data ? totalRows(red.data, null) : []), [red.data, red.version]);
  const pick = (key: keyof ServiceStats) => ({
    value: total ? total[key] : null,
    previous: total ? total.previous[key] : null,
  });
  const cards: Card[] = [
    { label: 'Requests/s', ...pick('rate'), format: formatRate, better: 'none', spark: totals.map((r) => r.rate) },
    {
      label: 'Error rate',
      ...pick('errorRate'),
      format: formatPercent,
      better: 'down',
      spark: totals.map((r) => r.errorRate),
    },
    { label: 'p50 latency', ...pick('p50'), format: formatMs, better: 'down', spark: totals.map((r) => r.p50) },
    { label: 'p95 latency', ...pick('p95'), format: formatMs, better: 'down', spark: totals.map((r) => r.p95) },
    { label: 'p99 latency', ...pick('p99'), format: formatMs, better: 'down', spark: totals.map((r) => r.p99) },
    { label: 'CPU', ...pick('cpu'), format: formatPercent, better: 'down', spark: gaugeSpark(cpu, true) },
    { label: 'Memory', ...pick('memory'), format: formatBytes, better: 'down', spark: gaugeSpark(memory, false) },
    { label: 'Active alerts', value: activeAlerts, previous: null, format: formatCount, better: 'down', spark: [] },
  ];
  return (
    <section aria-label="Summary" className="stat-cards" data-testid="stat-cards" data-state={overview.status}>
      {overview.status === 'error' && (
        <div className="panel" role="alert">
          <span className="error-text">Could not load the summary: {overview.error?.message}</span>{' '}
          <button type="button" onClick={overview.retry}>
            Retry
          </button>
        </div>
      )}
      {cards.map((card) => (
        <StatCard key={card.label} card={card} loading={overview.status === 'loading'} />
      ))}
    </section>
  );
}

function StatCard({ card, loading }: { card: Card; loading: boolean }) {
  const change = formatChange(card.value, card.previous);
  const arrow = change ? { up: '▲', down: '▼', flat: '▶' }[change.direction] : '';
  const tone =
    !change || change.direction === 'flat' || card.better === 'none'
      ? 'neutral'
      : change.direction === card.better
        ? 'good'
        : 'bad';
  return (
    <div className="panel stat-card" data-testid={`stat-${card.label}`}>
      <div className="stat-label muted">{card.label}</div>
      <div className="stat-value">{loading ? '…' : card.format(card.value)}</div>
      <div className={`stat-change ${tone}`}>
        {change ? (
          <>
            <span aria-hidden="true">{arrow}</span> {change.text}
            <span className="visually-hidden"> against the previous window</span>
          </>
        ) : (
          <span className="muted">no previous data</span>
        )}
      </div>
      <Sparkline values={card.spark} />
    </div>
  );
}
