import { useMemo } from 'react';
import { Area, AreaChart } from 'recharts';
import type { Services } from '../../api/endpoints.ts';
import { formatRate } from '../../format.ts';
import { useRed } from '../../hooks/useRed.ts';
import { maxPointsFor, useWidth } from '../../hooks/useWidth.ts';
import { OTHER_COLOUR, serviceColour } from '../../theme/palette.ts';
import { ChartFrame } from './ChartFrame.tsx';
import {
  CHART_MARGIN,
  GRID,
  hasLonePoints,
  legend,
  loneDot,
  maxOf,
  timeAxis,
  valueAxis,
  valueKey,
  valueTooltip,
} from './parts.tsx';
import { bucketFacts, hasRequests, OTHER, throughputRows } from './red-rows.ts';
import { useDragZoom } from './useDragZoom.tsx';

/** Services drawn on their own; the rest stack as "other". */
const TOP = 6;

export interface ServiceChartProps {
  range: { from: string; to: string };
  services: Services;
  onZoom: (from: number, to: number) => void;
  /** Clicking a service's legend entry. */
  onService?: (service: string) => void;
}

/** Requests per second, stacked by service. */
export function ThroughputChart({ range, services, onZoom, onService }: ServiceChartProps) {
  const [bodyRef, width] = useWidth<HTMLDivElement>();
  const query = useRed({ range, services, maxPoints: maxPointsFor(width, 4) });
  const buckets = query.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks live changes inside `buckets`.
  const data = useMemo(() => (buckets ? throughputRows(buckets, TOP) : null), [buckets, query.version]);
  // Stacked: the axis must reach the highest stack, not the highest service.
  const from = buckets?.window.from;
  const max = useMemo(
    () => maxOf(data?.rows ?? [], (r) => r.v.reduce<number>((a, v) => a + (v ?? 0), 0), from, buckets?.step),
    [data, from, buckets?.step],
  );
  const legendElement = useMemo(() => legend(onService && ((name) => name !== OTHER && onService(name))), [onService]);
  const zoom = useDragZoom(buckets?.step ?? 0, onZoom);
  return (
    <ChartFrame
      title="Throughput"
      testId="chart-throughput"
      query={query}
      empty={!hasRequests(buckets)}
      bodyRef={bodyRef}
      facts={bucketFacts(buckets)}
    >
      {buckets && data && (
        <AreaChart width={width} height={240} data={data.rows} margin={CHART_MARGIN} {...zoom.handlers}>
          {GRID}
          {timeAxis(buckets.window, width)}
          {valueAxis(formatRate, max)}
          {valueTooltip(formatRate)}
          {legendElement}
          {data.names.map((name, i) => {
            const colour = data.other && i === data.names.length - 1 ? OTHER_COLOUR : serviceColour(name);
            return (
              <Area
                key={name}
                dataKey={valueKey(i)}
                name={name}
                stackId="rate"
                stroke={colour}
                fill={colour}
                fillOpacity={0.35}
                // An area of one bucket between gaps (a service's first seconds, a sparse one) has no width.
                dot={hasLonePoints(data.rows, valueKey(i)) ? loneDot(colour) : false}
                isAnimationActive={false}
              />
            );
          })}
          {zoom.area}
        </AreaChart>
      )}
    </ChartFrame>
  );
}
