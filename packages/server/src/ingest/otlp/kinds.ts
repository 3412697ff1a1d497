import { LEGACY_RED_METRIC, STATUS_ATTR } from '@pulseboard/shared';
import { MAX_MAGNITUDE } from '../../model.ts';
import { exponentialObservations, type Observations } from '../../sketch/bucket-values.ts';
import type { Conversion, MetricContext, PendingCumulative } from './convert.ts';
import type { Delta } from './cumulative.ts';
import type { CumulativeValue } from './cumulative-values.ts';
import type { Attributes, MetricData, NumberPoint } from './model.ts';
import { exponentialProblem, histogramProblem, summaryProblem } from './point-checks.ts';
import { storedUnit } from './units.ts';

/**
 * How each OTLP metric type becomes series, keyed by type:
 * gauge -> gauge; monotonic sum -> counter of deltas; non-monotonic sum -> gauge (it is a level, not a flow);
 * histogram and exponential histogram -> histogram (weighted values into the sketch);
 * summary -> counters NAME.count and NAME.sum plus gauge NAME with a `quantile` attribute per quantile.
 * Cumulative data go through `PendingCumulative` and come back as deltas via `deltaEntries`.
 */
type Converter<T extends MetricData['type']> = (
  c: Conversion,
  m: MetricContext,
  d: Extract<MetricData, { type: T }>,
) => void;

export const KIND_CONVERTERS: { [T in MetricData['type']]: Converter<T> } = {
  gauge: (c, m, d) => gauges(c, m, d.points),
  sum: (c, m, d) => {
    if (!d.monotonic) return gauges(c, m, d.points);
    const { unit, scale } = storedUnit(m.unit, false);
    for (const p of d.points) {
      const started = c.begin(p, m);
      if (!started) continue;
      if (!Number.isFinite(p.value) || p.value < 0 || p.value > MAX_MAGNITUDE) {
        c.reject(started.id, `with a monotonic sum that is negative, missing, not finite or over ${MAX_MAGNITUDE}`, m);
        continue;
      }
      const identity = c.identity(m, 'counter', m.name, unit, started.attributes);
      if (d.temporality === 'delta') c.emitIncrease(started.id, identity, p.start, p.time, p.value * scale);
      else c.cumulative.push(pending(c, started.id, identity, p, scale, { type: 'sum', value: p.value }));
    }
  },
  histogram: (c, m, d) => {
    const { unit, scale } = storedUnit(m.unit, true);
    for (const p of d.points) {
      const started = c.begin(p, m);
      if (!started) continue;
      const problem = histogramProblem(p, scale);
      if (problem) {
        c.reject(started.id, problem, m);
        continue;
      }
      const identity = c.identity(m, 'histogram', m.name, unit, legacyStatus(m.name, started.attributes));
      const counts = p.counts.length === 0 ? [p.count] : p.counts;
      if (d.temporality === 'cumulative') {
        const { count, sum, min, max, bounds } = p;
        const value: CumulativeValue = { type: 'histogram', count, sum, min, max, bounds, counts };
        c.cumulative.push(pending(c, started.id, identity, p, scale, value));
      } else if (p.count > 0) {
        // The hot path of OTLP ingest: straight to the point's counts, no intermediate value.
        const { time, bounds, count, sum, min, max } = p;
        const explicit = { time, bounds, counts, scale, count, sum, min, max, exact: true };
        c.emitExplicit(started.id, identity, explicit, p.start);
      }
    }
  },
  exponentialHistogram: (c, m, d) => {
    const { unit, scale } = storedUnit(m.unit, true);
    for (const p of d.points) {
      const started = c.begin(p, m);
      if (!started) continue;
      const problem = exponentialProblem(p, scale);
      if (problem) {
        c.reject(started.id, problem, m);
        continue;
      }
      const identity = c.identity(m, 'histogram', m.name, unit, legacyStatus(m.name, started.attributes));
      const { scale: pointScale, zeroCount, positive, negative } = p;
      const value: CumulativeValue = {
        type: 'exponential',
        ...summaryOf(p),
        scale: pointScale,
        zeroCount,
        positive,
        negative,
      };
      if (d.temporality === 'cumulative') c.cumulative.push(pending(c, started.id, identity, p, scale, value));
      else emitDistribution(c, started.id, identity, p.time, p.start, value, scale, true);
    }
  },
  summary: (c, m, d) => {
    const { unit, scale } = storedUnit(m.unit, true);
    for (const p of d.points) {
      const started = c.begin(p, m);
      if (!started) continue;
      const problem = summaryProblem(p, scale);
      if (problem) {
        c.reject(started.id, problem, m);
        continue;
      }
      const attrs = started.attributes;
      // Count and sum are cumulative over the summary's life (the data model gives summaries no temporality).
      const count = c.identity(m, 'counter', `${m.name}.count`, '', attrs);
      c.cumulative.push(pending(c, started.id, count, p, 1, { type: 'sum', value: p.count }));
      const sum = c.identity(m, 'counter', `${m.name}.sum`, unit, attrs);
      c.cumulative.push(pending(c, started.id, sum, p, scale, { type: 'sum', value: p.sum }));
      for (const q of p.quantiles) {
        const identity = c.identity(m, 'gauge', m.name, unit, { ...attrs, quantile: q.quantile });
        c.emit(started.id, identity, p.time, q.value * scale);
      }
    }
  },
};

/**
 * Older HTTP instrumentation reports `http.server.duration` with the status in `http.status_code`; RED
 * reads `http.response.status_code`, so points of that metric get it as well (the old attribute stays).
 */
const LEGACY_STATUS_ATTR = 'http.status_code';

function legacyStatus(name: string, attributes: Attributes): Attributes {
  const status = attributes[LEGACY_STATUS_ATTR];
  if (name !== LEGACY_RED_METRIC || status === undefined || attributes[STATUS_ATTR] !== undefined) return attributes;
  return { ...attributes, [STATUS_ATTR]: status };
}

function gauges(c: Conversion, m: MetricContext, points: readonly NumberPoint[]): void {
  const { unit, scale } = storedUnit(m.unit, false);
  for (const p of points) {
    const started = c.begin(p, m);
    if (!started) continue;
    if (!Number.isFinite(p.value) || Math.abs(p.value) > MAX_MAGNITUDE) {
      c.reject(started.id, `with a missing or non-finite value, or one beyond +-${MAX_MAGNITUDE}`, m);
      continue;
    }
    c.emit(started.id, c.identity(m, 'gauge', m.name, unit, started.attributes), p.time, p.value * scale);
  }
}

/** The fields every distribution value keeps (not the point's attributes or times). */
function summaryOf(p: { count: number; sum: number | null; min: number | null; max: number | null }) {
  return { count: p.count, sum: p.sum, min: p.min, max: p.max };
}

function pending(
  c: Conversion,
  point: number,
  identity: PendingCumulative['identity'],
  p: { start: number; time: number },
  scale: number,
  value: CumulativeValue,
): PendingCumulative {
  return { point, identity, key: c.seriesKeyOf(identity), start: p.start, time: p.time, scale, value };
}

function emitDistribution(
  c: Conversion,
  point: number,
  identity: PendingCumulative['identity'],
  time: number,
  /** Where the interval the value covers starts. */
  since: number,
  value: CumulativeValue,
  scale: number,
  exact: boolean,
  series?: string,
  /** The first point the server has seen of its process (`Delta.first`, `spreadLimit`). */
  first = false,
): void {
  // An empty point (no observations since the last) adds no values; its state still commits.
  if (value.type === 'sum' || value.count === 0) return;
  // A cumulative series' first point, or first after a reset: no reporting interval.
  const fresh = series !== undefined && exact;
  const spread = { fresh, first };
  if (value.type === 'histogram') {
    const { bounds, counts, count, sum, min, max } = value;
    c.emitExplicit(
      point,
      identity,
      { time, bounds, counts, scale, count, sum, min, max, exact },
      since,
      series,
      spread,
    );
    return;
  }
  const fill = (out: Observations) => exponentialObservations(value, scale, out);
  c.emitWeighted(point, identity, time, since, fill, series, spread);
}

/** The samples of the deltas of a request's cumulative points. */
export function deltaEntries(c: Conversion, deltas: readonly Delta<PendingCumulative>[]): void {
  for (const delta of deltas) deltaEntry(c, delta);
}

/** The samples of a delta computed from a cumulative point. */
function deltaEntry(c: Conversion, delta: Delta<PendingCumulative>): void {
  const { point, value, fresh, first, since } = delta;
  if (delta.startShared !== undefined) c.reportedBy(point.identity, point.key, startInstance(delta.startShared));
  if (value.type === 'sum') {
    c.emitIncrease(point.point, point.identity, since, point.time, value.value * point.scale, point.key, first);
    return;
  }
  // min/max of a cumulative point bound every value of the delta but are observations of it only when fresh.
  emitDistribution(c, point.point, point.identity, point.time, since, value, point.scale, fresh, point.key, first);
}

/**
 * The process that sent a series several processes send, told apart by its start time: as an instance id
 * for reads (see `SeriesSamples.reportedBy`). NUL-prefixed, so no `service.instance.id` is the same.
 */
const startInstance = (start: number) => `\u0000start ${start}`;
