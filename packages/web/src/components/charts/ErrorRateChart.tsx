import type { Alert } from '@pulseboard/shared';
import { useMemo } from 'react';
import { Bar, BarChart } from 'recharts';
import { formatPercent } from '../../format.ts';
import { useRed } from '../../hooks/useRed.ts';
import { maxPointsFor, useWidth } from '../../hooks/useWidth.ts';
import { OTHER_COLOUR, serviceColour } from '../../theme/palette.ts';
import { useAlertLines } from './AlertMarks.tsx';
import { ChartFrame } from './ChartFrame.tsx';
import { CHART_MARGIN, GRID, legend, maxOf, timeAxis, valueAxis, valueKey, valueTooltip } from './parts.tsx';
import { bucketFacts, errorRateRows, hasRequests, OTHER } from './red-rows.ts';
import type { ServiceChartProps } from './ThroughputChart.tsx';
import { useDragZoom } from './useDragZoom.tsx';

const TOP = 4;

/** The least top of the axis: an all-zero chart reads 0..1%, not an invented scale. */
const FLOOR = 0.01;

/** Share of failed (5xx) requests per bucket, one bar per service; alerts of the shown services marked. */
export function ErrorRateChart({
  range,
  services,
  onZoom,
  onService,
  alerts,
}: ServiceChartProps & { alerts?: readonly Alert[] | null }) {
  const [bodyRef, width] = useWidth<HTMLDivElement>();
  // Grouped bars need room: 5 px per bar. It also bounds the work of a live update: Recharts renders each bar
  // as its own component tree, and ~200 bars made this chart's update alone a 40-55 ms task.
  const barsPerBucket = Math.min(services?.length || TOP + 1, TOP + 1);
  const perBucket = 5 * barsPerBucket;
  const query = useRed({ range, services, maxPoints: maxPointsFor(width, perBucket) });
  const buckets = query.data;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` marks live changes inside `buckets`.
  const data = useMemo(() => (buckets ? errorRateRows(buckets, TOP) : null), [buckets, query.version]);
  const from = buckets?.window.from;
  const step = buckets?.step;
  const max = useMemo(
    () => maxOf(data?.rows ?? [], (r) => Math.max(0, ...r.v.map((v) => v ?? 0)), from, step),
    [data, from, step],
  );
  const legendElement = useMemo(() => legend(onService && ((name) => name !== OTHER && onService(name))), [onService]);
  const marks = useAlertLines(alerts, buckets?.window, services);
  const zoom = useDragZoom(buckets?.step ?? 0, onZoom);
  return (
    <ChartFrame
      title="Error rate (5xx share)"
      testId="chart-errors"
      query={query}
      empty={!hasRequests(buckets)}
      bodyRef={bodyRef}
      facts={{ ...bucketFacts(buckets), marks: marks.count }}
    >
      {buckets && data && (
        <BarChart width={width} height={240} data={data.rows} margin={CHART_MARGIN} barGap={0} {...zoom.handlers}>
          {GRID}
          {timeAxis(buckets.window, width)}
          {valueAxis(formatPercent, max, { floor: FLOOR })}
          {valueTooltip(formatPercent)}
          {legendElement}
          {data.names.map((name, i) => (
            <Bar
              key={name}
              dataKey={valueKey(i)}
              name={name}
              fill={data.other && i === data.names.length - 1 ? OTHER_COLOUR : serviceColour(name)}
              isAnimationActive={false}
            />
          ))}
          {marks.lines}
          {zoom.area}
        </BarChart>
      )}
    </ChartFrame>
  );
}
