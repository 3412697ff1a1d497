import type { Alert } from '@pulseboard/shared';
import { useId, useMemo } from 'react';
import { Line, LineChart } from 'recharts';
import type { Services } from '../../api/endpoints.ts';
import { formatMs } from '../../format.ts';
import { useRed } from '../../hooks/useRed.ts';
import { maxPointsFor, useWidth } from '../../hooks/useWidth.ts';
import { PERCENTILES } from '../../theme/palette.ts';
import { useAlertLines } from './AlertMarks.tsx';
import { ChartFrame } from './ChartFrame.tsx';
import {
  CHART_MARGIN,
  GRID,
  hasLonePoints,
  loneDot,
  maxOf,
  PLAIN_LEGEND,
  timeAxis,
  valueAxis,
  valueTooltip,
} from './parts.tsx';
import { bucketFacts, hasRequests, totalRows } from './red-rows.ts';
import { useDragZoom } from './useDragZoom.tsx';

export interface ResponseTimeChartProps {
  range: { from: string; to: string };
  services: Services;
  /** One service, or null for all of `services` together. */
  service: string | null;
  /** Offers a service picker when given. */
  onPick?: (service: string | null) => void;
  onZoom: (from: number, to: number) => void;
  /** Alerts to mark where they start and end (those of the shown services). */
  alerts?: readonly Alert[] | null;
}

/** p50/p95/p99 latency over the range, for one service or all selected ones. */
export function ResponseTimeChart({ range, services, service, onPick, onZoom, alerts }: ResponseTimeChartProps) {
  const [bodyRef, width] = useWidth<HTMLDivElement>();
  const query = useRed({ range, services, maxPoints: maxPointsFor(width, 4) });
  const buckets = query.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks live changes inside `buckets`.
  const rows = useMemo(() => (buckets ? totalRows(buckets, service) : []), [buckets, query.version, service]);
  const lone = useMemo(
    () => ({
      p50: hasLonePoints(rows, (r) => r.p50),
      p95: hasLonePoints(rows, (r) => r.p95),
      p99: hasLonePoints(rows, (r) => r.p99),
    }),
    [rows],
  );
  const from = buckets?.window.from;
  const step = buckets?.step;
  const max = useMemo(
    () => maxOf(rows, (r) => Math.max(r.p50 ?? 0, r.p95 ?? 0, r.p99 ?? 0), from, step),
    [rows, from, step],
  );
  const names = useMemo(() => [...(buckets?.services() ?? [])].sort(), [buckets]);
  const marks = useAlertLines(alerts, buckets?.window, service ? [service] : services);
  const zoom = useDragZoom(buckets?.step ?? 0, onZoom);
  const pickId = useId();
  const picker = onPick && (
    <>
      <label htmlFor={pickId} className="visually-hidden">
        Response time of
      </label>
      <select id={pickId} value={service ?? ''} onChange={(e) => onPick(e.target.value || null)}>
        <option value="">All selected services</option>
        {service && !names.includes(service) && <option value={service}>{service}</option>}
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <ChartFrame
      title="Response time"
      testId="chart-latency"
      query={query}
      empty={!hasRequests(buckets)}
      bodyRef={bodyRef}
      actions={picker}
      facts={{ ...bucketFacts(buckets), marks: marks.count }}
    >
      {buckets && (
        <LineChart width={width} height={240} data={rows} margin={CHART_MARGIN} {...zoom.handlers}>
          {GRID}
          {timeAxis(buckets.window, width)}
          {valueAxis(formatMs, max)}
          {valueTooltip(formatMs)}
          {PLAIN_LEGEND}
          {PERCENTILES.map((p) => (
            <Line
              key={p.key}
              dataKey={p.key}
              name={p.label}
              stroke={p.colour}
              strokeDasharray={p.dash}
              strokeWidth={1.5}
              dot={lone[p.key] ? loneDot(p.colour) : false}
              isAnimationActive={false}
              connectNulls={false}
            />
          ))}
          {marks.lines}
          {zoom.area}
        </LineChart>
      )}
    </ChartFrame>
  );
}
