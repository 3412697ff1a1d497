import {
  array,
  attributes,
  boolean,
  double,
  integer,
  type Json,
  nanosToMs,
  object,
  optionalDouble,
  parseBody,
  string,
  temporality,
} from './json-values.ts';
import {
  type Attributes,
  DecodeError,
  type ExponentialBuckets,
  type ExponentialPoint,
  type HistogramPoint,
  type MetricData,
  type NumberPoint,
  type OtlpExport,
  type OtlpMetric,
  type OtlpResource,
  type PointBase,
  type SummaryPoint,
} from './model.ts';

/**
 * ExportMetricsServiceRequest in the OTLP/JSON mapping (lowerCamelCase keys, enums as integers, 64-bit
 * integers as strings or numbers) into the internal model. Unknown keys are ignored, as the spec requires.
 */
export function decodeMetricsJson(body: Buffer): OtlpExport {
  const root = parseBody(body);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new DecodeError('body: must be a JSON object {"resourceMetrics":[...]}');
  }
  const list = array((root as Json).resourceMetrics, 'resourceMetrics');
  return { resources: list.map((rm, i) => resourceMetrics(rm, `resourceMetrics[${i}]`)) };
}

function resourceMetrics(value: unknown, path: string): OtlpResource {
  const rm = object(value, path);
  const resource = object(rm.resource, `${path}.resource`);
  const out: OtlpResource = { attributes: attributes(resource.attributes, `${path}.resource.attributes`), metrics: [] };
  array(rm.scopeMetrics, `${path}.scopeMetrics`).forEach((sm, i) => {
    const scopePath = `${path}.scopeMetrics[${i}]`;
    array(object(sm, scopePath).metrics, `${scopePath}.metrics`).forEach((m, j) => {
      out.metrics.push(metric(m, `${scopePath}.metrics[${j}]`));
    });
  });
  return out;
}

/** The Metric data oneof by JSON key. */
const DATA_DECODERS: Readonly<Record<string, (value: Json, path: string) => MetricData>> = {
  gauge: (v, path) => ({ type: 'gauge', points: points(v, path, numberPoint) }),
  sum: (v, path) => ({
    type: 'sum',
    temporality: temporality(v.aggregationTemporality, `${path}.aggregationTemporality`),
    monotonic: boolean(v.isMonotonic, `${path}.isMonotonic`),
    points: points(v, path, numberPoint),
  }),
  histogram: (v, path) => ({
    type: 'histogram',
    temporality: temporality(v.aggregationTemporality, `${path}.aggregationTemporality`),
    points: points(v, path, histogramPoint),
  }),
  exponentialHistogram: (v, path) => ({
    type: 'exponentialHistogram',
    temporality: temporality(v.aggregationTemporality, `${path}.aggregationTemporality`),
    points: points(v, path, exponentialPoint),
  }),
  summary: (v, path) => ({ type: 'summary', points: points(v, path, summaryPoint) }),
};

function metric(value: unknown, path: string): OtlpMetric {
  const m = object(value, path);
  const out: OtlpMetric = { name: string(m.name, `${path}.name`), unit: string(m.unit, `${path}.unit`), data: null };
  for (const key in DATA_DECODERS) {
    if (m[key] === undefined || m[key] === null) continue;
    if (out.data) throw new DecodeError(`${path}: has more than one of gauge, sum, histogram, summary`);
    out.data = DATA_DECODERS[key]!(object(m[key], `${path}.${key}`), `${path}.${key}`);
  }
  return out;
}

function points<P>(data: Json, path: string, decode: (p: Json, path: string) => P): P[] {
  return array(data.dataPoints, `${path}.dataPoints`).map((p, i) => {
    const at = `${path}.dataPoints[${i}]`;
    return decode(object(p, at), at);
  });
}

function base(p: Json, path: string): PointBase {
  const attrs: Attributes = attributes(p.attributes, `${path}.attributes`);
  return {
    attributes: attrs,
    start: nanosToMs(p.startTimeUnixNano, `${path}.startTimeUnixNano`),
    time: nanosToMs(p.timeUnixNano, `${path}.timeUnixNano`),
    flags: integer(p.flags, `${path}.flags`, 0),
  };
}

function numberPoint(p: Json, path: string): NumberPoint {
  let value = Number.NaN;
  if (p.asDouble !== undefined && p.asDouble !== null) value = double(p.asDouble, `${path}.asDouble`);
  else if (p.asInt !== undefined && p.asInt !== null) value = integer(p.asInt, `${path}.asInt`);
  return { ...base(p, path), value };
}

/** The fields every distribution point has: base fields, count, and the optional sum, min and max. */
function distribution(p: Json, path: string) {
  return {
    ...base(p, path),
    count: integer(p.count, `${path}.count`, 0),
    sum: optionalDouble(p.sum, `${path}.sum`),
    min: optionalDouble(p.min, `${path}.min`),
    max: optionalDouble(p.max, `${path}.max`),
  };
}

function histogramPoint(p: Json, path: string): HistogramPoint {
  return {
    ...distribution(p, path),
    bounds: array(p.explicitBounds, `${path}.explicitBounds`).map((b, i) => double(b, `${path}.explicitBounds[${i}]`)),
    counts: array(p.bucketCounts, `${path}.bucketCounts`).map((c, i) => integer(c, `${path}.bucketCounts[${i}]`, 0)),
  };
}

function exponentialPoint(p: Json, path: string): ExponentialPoint {
  return {
    ...distribution(p, path),
    scale: integer(p.scale, `${path}.scale`),
    zeroCount: integer(p.zeroCount, `${path}.zeroCount`, 0),
    positive: buckets(p.positive, `${path}.positive`),
    negative: buckets(p.negative, `${path}.negative`),
  };
}

function buckets(value: unknown, path: string): ExponentialBuckets {
  const b = object(value, path);
  return {
    offset: integer(b.offset, `${path}.offset`),
    counts: array(b.bucketCounts, `${path}.bucketCounts`).map((c, i) => integer(c, `${path}.bucketCounts[${i}]`, 0)),
  };
}

function summaryPoint(p: Json, path: string): SummaryPoint {
  const quantiles = array(p.quantileValues, `${path}.quantileValues`).map((q, i) => {
    const at = `${path}.quantileValues[${i}]`;
    const v = object(q, at);
    return { quantile: double(v.quantile ?? 0, `${at}.quantile`), value: double(v.value ?? 0, `${at}.value`) };
  });
  return {
    ...base(p, path),
    count: integer(p.count, `${path}.count`, 0),
    sum: double(p.sum ?? 0, `${path}.sum`),
    quantiles,
  };
}
