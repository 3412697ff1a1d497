import type { ReactElement } from 'react';
import { CartesianGrid, type DotItemDotProps, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { trimZeros } from '../../format.ts';
import { formatDateTime } from '../../time-format.ts';
import { formatTick, tickInterval, timeTicks, valueTicks } from './ticks.ts';

/** Shared pieces of the time charts, so every chart has the same axes, grid and tooltip. */

export const CHART_MARGIN = { top: 4, right: 8, bottom: 0, left: 0 };

/**
 * Width of every chart's value axis and of the heatmap's name column: plots of one page start and end at the
 * same x, so a moment lines up across the charts stacked above each other.
 */
export const AXIS_WIDTH = 80;

/** Room per time tick label (`08:05:30` is the widest). */
const PX_PER_TIME_TICK = 90;

/** The plot area's width inside a chart of `width` px. */
export const plotWidth = (width: number) => Math.max(0, width - AXIS_WIDTH - CHART_MARGIN.left - CHART_MARGIN.right);

/** Round time ticks for a window drawn `width` px wide, with their label format. */
export function timeScale(window: { from: number; to: number }, width: number) {
  const interval = tickInterval(window.to - window.from, Math.max(2, Math.floor(plotWidth(width) / PX_PER_TIME_TICK)));
  const format = tickFormat(interval);
  const pxPerMs = plotWidth(width) / (window.to - window.from);
  // A label is centred on its tick: one nearer the plot's right end than half its width (less the margin)
  // ran off the chart, so every live chart's newest label read "02:4".
  const fits = (t: number) => (window.to - t) * pxPerMs + CHART_MARGIN.right >= (format(t).length * TICK_CHAR_PX) / 2;
  return { ticks: timeTicks(window.from, window.to, interval).filter(fits), format };
}

/** Width of a character of a tick label (11 px digits and colons, with room to spare). */
const TICK_CHAR_PX = 7;

const tickFormats = new Map<number, (t: number) => string>();
function tickFormat(interval: number) {
  let format = tickFormats.get(interval);
  if (!format) tickFormats.set(interval, (format = (t: number) => formatTick(t, interval)));
  return format;
}

export function timeAxis(window: { from: number; to: number }, width: number) {
  const { ticks, format } = timeScale(window, width);
  return (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={[window.from, window.to]}
      allowDataOverflow
      ticks={ticks}
      interval={0}
      tickFormatter={format}
      stroke="var(--muted)"
      tick={{ fill: 'var(--muted)', fontSize: 11 }}
    />
  );
}

type Format = (v: number) => string;

/**
 * Y axes by format and ticks, built once each: the same element on every live render (while the data's range
 * keeps its ticks) lets React skip it, and Recharts does not re-register unchanged settings.
 */
const axisCache = new WeakMap<Format, { label: Format; axes: Map<string, ReactElement> }>();

/**
 * The value axis for data up to `max` (down to `min`): nice ticks, the domain from the first to the last.
 * `floor` keeps an all-zero chart from inventing a scale (0..400% for a 0% error rate).
 */
export function valueAxis(format: Format, max: number, options: { floor?: number; min?: number } = {}) {
  let cached = axisCache.get(format);
  if (!cached) axisCache.set(format, (cached = { label: (v) => trimZeros(format(v)), axes: new Map() }));
  const ticks = distinctTicks(cached.label, max, options);
  const key = ticks.join(',');
  let axis = cached.axes.get(key);
  if (!axis) {
    axis = (
      <YAxis
        tickFormatter={cached.label}
        stroke="var(--muted)"
        tick={{ fill: 'var(--muted)', fontSize: 11 }}
        width={AXIS_WIDTH}
        ticks={ticks}
        interval={0}
        domain={[ticks[0] ?? 0, ticks.at(-1) ?? 1]}
        allowDataOverflow
      />
    );
    cached.axes.set(key, axis);
  }
  return axis;
}

/**
 * About four nice ticks up to `max`, fewer when the format cannot tell them apart: 0.005 ms steps all printed
 * as "0.01 ms" (the format keeps two decimals), an axis of three equal labels.
 */
export function distinctTicks(label: Format, max: number, options: { floor?: number; min?: number } = {}): number[] {
  for (let count = 4; count > 1; count--) {
    const ticks = valueTicks(max, count, options.floor, options.min);
    if (new Set(ticks.map(label)).size === ticks.length) return ticks;
  }
  return valueTicks(max, 1, options.floor, options.min);
}

const tooltipCache = new WeakMap<Format, ReactElement>();

/** The tooltip for a value format (one element per format, for the same reason as the axes). */
export function valueTooltip(format: Format) {
  let tooltip = tooltipCache.get(format);
  if (!tooltip) {
    tooltip = (
      <Tooltip
        isAnimationActive={false}
        labelFormatter={(t) => formatDateTime(Number(t))}
        formatter={(value) => (typeof value === 'number' ? format(value) : '–')}
        contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', borderRadius: 6 }}
        labelStyle={{ color: 'var(--muted)' }}
      />
    );
    tooltipCache.set(format, tooltip);
  }
  return tooltip;
}

/**
 * The largest value of `value` over the rows drawn in a window from `from` (0 when none): those of buckets
 * (`step` long) that end after it. A bucket that starts before the window still shows its sliver at the left
 * edge; left out of the scale, its bar was cut at the top of the axis (an 11 % error rate read as 6 %).
 */
export function maxOf<R extends { t: number }>(
  rows: readonly R[],
  value: (row: R) => number | null | undefined,
  from = Number.NEGATIVE_INFINITY,
  step = 0,
): number {
  let max = 0;
  for (const row of rows) {
    // With a step, a bucket is drawn when it ends after `from`; without one, when it starts there or later.
    if (step > 0 ? row.t + step <= from : row.t < from) continue;
    const v = value(row);
    if (typeof v === 'number' && v > max) max = v;
  }
  return max;
}

export const GRID = <CartesianGrid stroke="var(--grid)" strokeDasharray="3 3" vertical={false} />;

export const legend = (onClick?: (name: string) => void) => (
  <Legend
    wrapperStyle={{ fontSize: 12, cursor: onClick ? 'pointer' : undefined }}
    onClick={onClick ? (entry) => entry.value !== undefined && onClick(String(entry.value)) : undefined}
  />
);

export const PLAIN_LEGEND = legend();

/** Series value accessors by index, one function per index for good (stable props for Recharts). */
const valueKeys: ((row: { v: (number | null)[] }) => number | null | undefined)[] = [];
export function valueKey(i: number) {
  valueKeys[i] ??= (row) => row.v[i];
  return valueKeys[i];
}

/** Whether some point has no neighbour to join to (then the line needs `loneDot` to show it at all). */
export function hasLonePoints<R>(rows: readonly R[], value: (row: R) => number | null | undefined): boolean {
  const known = (i: number) => i >= 0 && i < rows.length && value(rows[i] as R) != null;
  return rows.some((_, i) => known(i) && !known(i - 1) && !known(i + 1));
}

/**
 * Line dots only where a point has no neighbour to join: sparse data (a quiet service) stays visible without
 * cluttering dense lines.
 */
export function loneDot(colour: string) {
  return ({ points, index, cx, cy }: DotItemDotProps) => {
    const known = (i: number) => typeof points[i]?.y === 'number';
    if (!known(index) || known(index - 1) || known(index + 1) || cx == null || cy == null) return null;
    return <circle key={`lone-${index}`} cx={cx} cy={cy} r={2.5} fill={colour} />;
  };
}
