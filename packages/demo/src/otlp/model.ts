/**
 * Builds an OTLP ExportMetricsServiceRequest from the generator's native items, in the OTLP/JSON mapping
 * (lowerCamelCase keys, int64 and fixed64 as decimal strings), which is also the model the protobuf writer
 * walks. The shape mirrors what an OTel SDK with a delta exporter sends, so the demo exercises the same
 * server path as real services do.
 */

import { INSTANCE_ATTR, type NativeItem } from '@pulseboard/shared';

/** OTel's default explicit bounds for `http.server.request.duration`, in seconds (semantic conventions). */
export const DURATION_BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
export const AGGREGATION_TEMPORALITY_DELTA = 1;
const SCOPE = { name: '@pulseboard/demo', version: '0.1.0' };

export type AnyValue =
  | { stringValue: string }
  | { intValue: string }
  | { doubleValue: number }
  | { boolValue: boolean };
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  bucketCounts: string[];
  explicitBounds: number[];
  min: number;
  max: number;
}
export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble: number;
}
export interface Metric {
  name: string;
  unit: string;
  histogram?: { dataPoints: HistogramDataPoint[]; aggregationTemporality: number };
  gauge?: { dataPoints: NumberDataPoint[] };
}
export interface ResourceMetrics {
  resource: { attributes: KeyValue[] };
  scopeMetrics: { scope: { name: string; version: string }; metrics: Metric[] }[];
}
export interface ExportMetricsServiceRequest {
  resourceMetrics: ResourceMetrics[];
}

/** Epoch ms as OTLP nanoseconds; BigInt because nanoseconds since 1970 exceed 2^53. */
export const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();

/**
 * One ResourceMetrics per (service, instance), since OTel puts `service.instance.id` on the resource.
 * Histogram observations become one DELTA point per series and whole second, in seconds with the default
 * bounds; gauges keep their value and timestamp. Items of other units or types are left out: the demo
 * produces none.
 */
export function buildExportRequest(items: NativeItem[]): ExportMetricsServiceRequest {
  const resources = new Map<string, { service: string; instance: string | undefined; metrics: Map<string, Metric> }>();
  for (const item of items) {
    const { [INSTANCE_ATTR]: instance, ...pointAttributes } = item.attributes ?? {};
    const instanceId = instance === undefined ? undefined : String(instance);
    const resourceKey = `${item.service}\u0000${instanceId ?? ''}`;
    let resource = resources.get(resourceKey);
    if (!resource) {
      resource = { service: item.service, instance: instanceId, metrics: new Map() };
      resources.set(resourceKey, resource);
    }
    const attributes = toKeyValues(pointAttributes);
    if (item.type === 'histogram' && item.points) {
      const metric = metricOf(resource.metrics, item.name, 's', 'histogram');
      metric.histogram?.dataPoints.push(...histogramPoints(item.points, attributes, item.unit));
    } else if (item.type === 'gauge' && item.value !== undefined && item.timestamp !== undefined) {
      const metric = metricOf(resource.metrics, item.name, item.unit ?? '', 'gauge');
      // A gauge's start time is optional in OTLP; the SDK sets it, so we do too (the start of the second).
      const t = nanos(item.timestamp);
      metric.gauge?.dataPoints.push({ attributes, startTimeUnixNano: t, timeUnixNano: t, asDouble: item.value });
    }
  }
  return {
    resourceMetrics: [...resources.values()].map((r) => ({
      resource: {
        attributes: toKeyValues({
          'service.name': r.service,
          ...(r.instance === undefined ? {} : { [INSTANCE_ATTR]: r.instance }),
        }),
      },
      scopeMetrics: [{ scope: SCOPE, metrics: [...r.metrics.values()] }],
    })),
  };
}

function metricOf(metrics: Map<string, Metric>, name: string, unit: string, kind: 'histogram' | 'gauge'): Metric {
  let metric = metrics.get(name);
  if (!metric) {
    metric =
      kind === 'histogram'
        ? { name, unit, histogram: { dataPoints: [], aggregationTemporality: AGGREGATION_TEMPORALITY_DELTA } }
        : { name, unit, gauge: { dataPoints: [] } };
    metrics.set(name, metric);
  }
  return metric;
}

/** Points `[epochMs, value]` grouped per second into delta points covering [second, second + 1 s). */
export function histogramPoints(points: [number, number][], attributes: KeyValue[], unit = 'ms'): HistogramDataPoint[] {
  const toSeconds = unit === 's' ? 1 : 1 / 1000;
  const bySecond = new Map<number, number[]>();
  for (const [ts, value] of points) {
    const sec = Math.floor(ts / 1000);
    let values = bySecond.get(sec);
    if (!values) bySecond.set(sec, (values = []));
    values.push(value * toSeconds);
  }
  const out: HistogramDataPoint[] = [];
  for (const [sec, values] of bySecond) {
    const counts = new Array<number>(DURATION_BOUNDS_S.length + 1).fill(0);
    let sum = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      counts[bucketOf(v)]!++;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out.push({
      attributes,
      startTimeUnixNano: nanos(sec * 1000),
      timeUnixNano: nanos(sec * 1000 + 1000),
      count: String(values.length),
      sum,
      bucketCounts: counts.map(String),
      explicitBounds: DURATION_BOUNDS_S,
      min,
      max,
    });
  }
  return out;
}

/** OTel explicit buckets are upper-inclusive: bucket i holds (bounds[i-1], bounds[i]]. */
function bucketOf(v: number): number {
  let i = 0;
  while (i < DURATION_BOUNDS_S.length && v > DURATION_BOUNDS_S[i]!) i++;
  return i;
}

export function toKeyValues(attributes: Record<string, string | number | boolean>): KeyValue[] {
  return Object.entries(attributes).map(([key, v]) => ({ key, value: anyValue(v) }));
}

function anyValue(v: string | number | boolean): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}
