import { type ReactNode, useMemo } from 'react';
import { Line, LineChart } from 'recharts';
import { formatBytes, formatCount, formatMs, formatPercent } from '../../format.ts';
import type { LiveQuery } from '../../hooks/useLiveQuery.ts';
import { useSeries } from '../../hooks/useSeries.ts';
import { maxPointsFor, useWidth } from '../../hooks/useWidth.ts';
import { serviceColour } from '../../theme/palette.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { CHART_MARGIN, GRID, hasLonePoints, loneDot, maxOf, timeAxis, valueAxis, valueTooltip } from './parts.tsx';
import { useDragZoom } from './useDragZoom.tsx';

export interface MetricChartProps {
  range: { from: string; to: string };
  service: string;
  metric: string | null;
  unit: string;
  stat: string | null;
  /** The metric list this chart picks from: its loading and errors show here too. */
  listQuery: LiveQuery<unknown>;
  noMetrics: boolean;
  actions: ReactNode;
  onZoom: (from: number, to: number) => void;
}

/** Formats a value by its OpenTelemetry unit (`1` is a ratio, `By` bytes, `ms` milliseconds). */
function formatterFor(unit: string, stat: string | null): (v: number) => string {
  if (stat === 'count' || stat === 'rate') return (v) => `${formatCount(v)}${stat === 'rate' ? '/s' : ''}`;
  if (unit === '1') return (v) => formatPercent(v);
  if (unit === 'By') return (v) => formatBytes(v);
  if (unit === 'ms') return (v) => formatMs(v);
  return (v) => `${formatCount(v)}${unit ? ` ${unit}` : ''}`;
}

/** One metric's stat over time for a service. */
export function MetricChart(props: MetricChartProps) {
  const { range, service, metric, unit, stat, listQuery, noMetrics, actions, onZoom } = props;
  const [bodyRef, width] = useWidth<HTMLDivElement>();
  const services = useMemo(() => [service], [service]);
  const query = useSeries({ range, metric, stat, services, maxPoints: maxPointsFor(width, 4) });
  const points = query.data?.series[0]?.points ?? [];
  const format = useMemo(() => formatterFor(unit, stat), [unit, stat]);
  const max = useMemo(() => maxOf(points, (p) => p.value), [points]);
  const min = useMemo(() => -maxOf(points, (p) => (p.value === null ? null : -p.value)), [points]);
  const zoom = useDragZoom(query.data?.step ?? 0, onZoom);
  const frameQuery = listQuery.status === 'ready' ? query : listQuery;
  return (
    <ChartFrame
      title="Other metrics"
      testId="chart-metric"
      query={noMetrics ? { ...listQuery, status: 'ready' } : frameQuery}
      empty={noMetrics || !points.some((p) => p.value !== null)}
      bodyRef={bodyRef}
      actions={actions}
      facts={{ points: points.length }}
    >
      {query.data && (
        <LineChart width={width} height={240} data={points} margin={CHART_MARGIN} {...zoom.handlers}>
          {GRID}
          {timeAxis(query.data, width)}
          {valueAxis(format, max, { min })}
          {valueTooltip(format)}
          <Line
            dataKey="value"
            name={`${metric} ${stat}`}
            stroke={serviceColour(service)}
            dot={hasLonePoints(points, (p) => p.value) ? loneDot(serviceColour(service)) : false}
            strokeWidth={1.5}
            isAnimationActive={false}
          />
          {zoom.area}
        </LineChart>
      )}
    </ChartFrame>
  );
}
