import type { RedSignal, Signal } from '@pulseboard/shared';
import type { SampleAcc } from '../query/samples.ts';
import type { Sketch } from '../sketch/sketch.ts';
import type { SignalWindow } from './detectors/types.ts';

/** Requests merged over a window: what every RED signal derives from. */
export interface RedTotals {
  count: number;
  errors: number;
  sketch: Sketch;
}

const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** A RED signal over a window of `seconds`: the same definitions as `/api/v1/red`. */
export function redValue(name: RedSignal, totals: RedTotals | undefined, seconds: number): SignalWindow {
  const count = totals?.count ?? 0;
  if (name === 'rate') return { value: seconds > 0 ? count / seconds : 0, count };
  if (!totals || count === 0) return { value: null, count };
  if (name === 'errorRate') return { value: totals.errors / count, count };
  return { value: totals.sketch.quantile(QUANTILES[name]!), count };
}

/** A metric stat over a window: the same definitions as `/api/v1/series` (sums and counts over every series). */
export function metricValue(stat: string, acc: SampleAcc | undefined, seconds: number): SignalWindow {
  const count = acc?.count ?? 0;
  if (!acc || count === 0) return { value: stat === 'rate' || stat === 'count' || stat === 'sum' ? 0 : null, count };
  const quantile = QUANTILES[stat];
  if (quantile !== undefined) return { value: acc.sketch?.quantile(quantile) ?? null, count };
  const byStat: Record<string, () => number> = {
    avg: () => acc.sum / acc.count,
    min: () => acc.min,
    max: () => acc.max,
    last: () => acc.last,
    sum: () => acc.sum,
    count: () => acc.count,
    // A counter's rate is its summed deltas per second; a histogram's is observations per second.
    rate: () => (seconds > 0 ? (acc.sketch ? acc.count : acc.sum) / seconds : 0),
  };
  const read = byStat[stat];
  return { value: read ? read() : null, count };
}

/** The value of any parsed signal from the totals it needs. */
export function signalValue(
  signal: Signal,
  totals: { red?: RedTotals; sample?: SampleAcc },
  seconds: number,
): SignalWindow {
  return signal.kind === 'red'
    ? redValue(signal.name, totals.red, seconds)
    : metricValue(signal.stat, totals.sample, seconds);
}
