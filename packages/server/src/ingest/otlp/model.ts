import type { AttributeValue } from '@pulseboard/shared';

/**
 * The one internal form both OTLP decoders (protobuf and JSON) produce. It keeps only what Pulseboard
 * stores: scopes are flattened away, exemplars and descriptions dropped, times turned into epoch ms, enums
 * validated. Conversion into samples (`convert.ts`) never needs to know which encoding it came from.
 */
export interface OtlpExport {
  resources: OtlpResource[];
}

export type Attributes = Record<string, AttributeValue>;

export interface OtlpResource {
  attributes: Attributes;
  metrics: OtlpMetric[];
}

export interface OtlpMetric {
  name: string;
  unit: string;
  /** Null when the metric carries no data field (allowed by the proto; nothing to store). */
  data: MetricData | null;
}

export type Temporality = 'delta' | 'cumulative';

/** AggregationTemporality as numbered on the wire; 0 (UNSPECIFIED) and unknown values are a 400. */
export const TEMPORALITY_BY_NUMBER: Readonly<Record<number, Temporality>> = { 1: 'delta', 2: 'cumulative' };
export const TEMPORALITY_BY_NAME: Readonly<Record<string, Temporality>> = {
  AGGREGATION_TEMPORALITY_DELTA: 'delta',
  AGGREGATION_TEMPORALITY_CUMULATIVE: 'cumulative',
};

export type MetricData =
  | { type: 'gauge'; points: NumberPoint[] }
  | { type: 'sum'; temporality: Temporality; monotonic: boolean; points: NumberPoint[] }
  | { type: 'histogram'; temporality: Temporality; points: HistogramPoint[] }
  | { type: 'exponentialHistogram'; temporality: Temporality; points: ExponentialPoint[] }
  | { type: 'summary'; points: SummaryPoint[] };

export type MetricType = MetricData['type'];

/** DataPointFlags.FLAG_NO_RECORDED_VALUE: the point only marks a gap; it carries no value. */
export const FLAG_NO_RECORDED_VALUE = 1;

export interface PointBase {
  attributes: Attributes;
  /**
   * The attributes' encoded bytes as text (protobuf only), equal for every point of a series in a request:
   * groups points without comparing attributes. Points with one share one `attributes` object.
   */
  attributesKey?: string;
  /** Epoch ms (floored from ns); 0 when the sender left it out. */
  start: number;
  time: number;
  flags: number;
}

export interface NumberPoint extends PointBase {
  /** NaN when the point had neither asDouble nor asInt. */
  value: number;
}

export interface HistogramPoint extends PointBase {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** Upper bounds, ascending; bucket i holds (bounds[i-1], bounds[i]], the last one (bounds[n-1], +inf). */
  bounds: number[];
  counts: number[];
}

export interface ExponentialBuckets {
  /** Index of counts[0]; bucket i holds (base^i, base^(i+1)] with base = 2^(2^-scale). */
  offset: number;
  counts: number[];
}

export interface ExponentialPoint extends PointBase {
  count: number;
  sum: number | null;
  min: number | null;
  max: number | null;
  scale: number;
  zeroCount: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

export interface SummaryPoint extends PointBase {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

/** A request the decoders could not read: the route answers 400 with this message. */
export class DecodeError extends Error {}
