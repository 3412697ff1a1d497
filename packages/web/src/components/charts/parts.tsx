import type { ReactElement } from 'react';
import { CartesianGrid, type DotItemDotProps, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDateTime, formatTime } from '../../format.ts';

/** Shared pieces of the time charts, so every chart has the same axes, grid and tooltip. */

export const CHART_MARGIN = { top: 4, right: 8, bottom: 0, left: 0 };

const tickFormats = new Map<number, (t: number) => string>();

export function timeAxis(window: { from: number; to: number }) {
  const span = window.to - window.from;
  let tickFormat = tickFormats.get(span);
  if (!tickFormat) tickFormats.set(span, (tickFormat = (t: number) => formatTime(t, span)));
  return (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={[window.from, window.to]}
      allowDataOverflow
      tickFormatter={tickFormat}
      stroke="var(--muted)"
      tick={{ fill: 'var(--muted)', fontSize: 11 }}
      minTickGap={40}
    />
  );
}

type Format = (v: number) => string;

/**
 * Y axis and tooltip for a value format, built once per format: the same element on every live render lets
 * React skip them, and Recharts does not re-register unchanged settings.
 */
const valueCache = new WeakMap<Format, Map<number | undefined, { axis: ReactElement; tooltip: ReactElement }>>();
/** `minMax` keeps an all-zero chart from inventing a scale (0..400% for a 0% error rate). */
export function valueParts(format: Format, minMax?: number) {
  let byMax = valueCache.get(format);
  if (!byMax) valueCache.set(format, (byMax = new Map()));
  let parts = byMax.get(minMax);
  if (!parts) {
    parts = {
      axis: (
        <YAxis
          tickFormatter={format}
          stroke="var(--muted)"
          tick={{ fill: 'var(--muted)', fontSize: 11 }}
          width={64}
          domain={[0, minMax === undefined ? 'auto' : (max: number) => Math.max(max, minMax)]}
        />
      ),
      tooltip: (
        <Tooltip
          isAnimationActive={false}
          labelFormatter={(t) => formatDateTime(Number(t))}
          formatter={(value) => (typeof value === 'number' ? format(value) : '–')}
          contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', borderRadius: 6 }}
          labelStyle={{ color: 'var(--muted)' }}
        />
      ),
    };
    byMax.set(minMax, parts);
  }
  return parts;
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
