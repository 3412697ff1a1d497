import { type AttributeValue, INGEST_LIMITS, METRIC_TYPES, type MetricType } from '@pulseboard/shared';
import { badRequest } from '../../errors.ts';
import { MAX_MAGNITUDE, type SampleBatch, type SeriesSamples } from '../../model.ts';
import { durationScale } from '../units.ts';

export interface IngestLimits {
  maxNameLength: number;
  maxUnitLength: number;
  maxAttributes: number;
  maxAttributeValueLength: number;
  /** Oldest accepted timestamp is now - this (the longest retention). */
  maxAgeMs: number;
  /** Newest accepted timestamp is now + this. */
  maxAheadMs: number;
  /** Buckets (rows of its commit) a request's observations may fill (fold's `maxBuckets`, `BucketBudget`). */
  maxBucketsPerRequest: number;
}

export const DEFAULT_LIMITS: Omit<IngestLimits, 'maxAgeMs'> = INGEST_LIMITS;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a native batch `{"metrics":[item,...]}` and converts it to samples. All-or-nothing: the first
 * problem throws a 400 naming the item and field (`metrics[3].points[7][1]: ...`), before anything is stored.
 * Hand-written rather than schema-validated because it runs over millions of points a second.
 */
export function decodeNativeBatch(body: unknown, now: number, limits: IngestLimits): SampleBatch {
  if (!isRecord(body)) throw badRequest('body: must be a JSON object {"metrics":[...]}');
  const { metrics } = body;
  if (!Array.isArray(metrics)) throw badRequest('metrics: must be an array of metric items');
  const oldest = now - limits.maxAgeMs;
  const newest = now + limits.maxAheadMs;
  return metrics.map((item, i) => decodeItem(item, `metrics[${i}]`, { now, oldest, newest, limits }));
}

interface Context {
  now: number;
  oldest: number;
  newest: number;
  limits: IngestLimits;
}

function decodeItem(item: unknown, at: string, ctx: Context): SeriesSamples {
  if (!isRecord(item)) throw badRequest(`${at}: must be an object`);
  const service = name(item.service, `${at}.service`, ctx.limits);
  const metricName = name(item.name, `${at}.name`, ctx.limits);
  const kind = item.type;
  if (typeof kind !== 'string' || !(METRIC_TYPES as readonly string[]).includes(kind)) {
    throw badRequest(`${at}.type: must be one of ${METRIC_TYPES.join(', ')}`);
  }
  const type = kind as MetricType;
  const { maxUnitLength } = ctx.limits;
  if (item.unit !== undefined && (typeof item.unit !== 'string' || item.unit.length > maxUnitLength)) {
    throw badRequest(`${at}.unit: must be a string of at most ${maxUnitLength} characters`);
  }
  let unit = (item.unit as string | undefined) ?? (type === 'histogram' ? 'ms' : '');
  const scale = type === 'histogram' ? durationScale(unit) : null;
  if (scale !== null) unit = 'ms';
  const attributes = decodeAttributes(item.attributes, `${at}.attributes`, ctx.limits);
  const { timestamps, values } = decodePoints(item, at, type, scale ?? 1, ctx);
  return { identity: { service, name: metricName, kind: type, unit, attributes }, timestamps, values, origin: at };
}

function name(value: unknown, at: string, limits: IngestLimits): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > limits.maxNameLength) {
    throw badRequest(`${at}: must be a string of 1 to ${limits.maxNameLength} characters`);
  }
  return value;
}

function decodeAttributes(value: unknown, at: string, limits: IngestLimits): Record<string, AttributeValue> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw badRequest(`${at}: must be an object of string, number or boolean values`);
  const keys = Object.keys(value);
  if (keys.length > limits.maxAttributes)
    throw badRequest(`${at}: at most ${limits.maxAttributes} attributes (got ${keys.length})`);
  for (const key of keys) {
    const v = value[key];
    if (key.length === 0 || key.length > limits.maxNameLength) {
      throw badRequest(`${at}: attribute names must be 1 to ${limits.maxNameLength} characters`);
    }
    if (typeof v === 'string') {
      if (v.length > limits.maxAttributeValueLength) {
        throw badRequest(`${at}.${key}: at most ${limits.maxAttributeValueLength} characters`);
      }
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw badRequest(`${at}.${key}: must be a finite number`);
    } else if (typeof v !== 'boolean') {
      throw badRequest(`${at}.${key}: must be a string, number or boolean`);
    }
  }
  return value as Record<string, AttributeValue>;
}

/** `scale` converts values to the stored unit (histograms: to ms); the range check applies to stored values. */
function decodePoints(item: Record<string, unknown>, at: string, type: MetricType, scale: number, ctx: Context) {
  const timestamps: number[] = [];
  const values: number[] = [];
  if (item.points !== undefined) {
    if (item.value !== undefined || item.timestamp !== undefined) {
      throw badRequest(`${at}: send either points or value/timestamp, not both`);
    }
    const { points } = item;
    if (!Array.isArray(points) || points.length === 0)
      throw badRequest(`${at}.points: must be a non-empty array of [timestamp, value]`);
    for (let i = 0; i < points.length; i++) {
      const point: unknown = points[i];
      if (!Array.isArray(point) || point.length !== 2)
        throw badRequest(`${at}.points[${i}]: must be [timestamp, value]`);
      timestamps.push(checkTimestamp(point[0], `${at}.points[${i}][0]`, ctx));
      values.push(checkValue(point[1], `${at}.points[${i}][1]`, type, scale) * scale);
    }
    return { timestamps, values };
  }
  timestamps.push(item.timestamp === undefined ? ctx.now : checkTimestamp(item.timestamp, `${at}.timestamp`, ctx));
  values.push(checkValue(item.value, `${at}.value`, type, scale) * scale);
  return { timestamps, values };
}

function checkTimestamp(value: unknown, at: string, ctx: Context): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw badRequest(`${at}: timestamp must be epoch milliseconds`);
  if (value < ctx.oldest) throw badRequest(`${at}: timestamp ${value} is older than the longest retention`);
  if (value > ctx.newest)
    throw badRequest(`${at}: timestamp ${value} is more than 10 minutes ahead of the server clock`);
  return Math.floor(value);
}

function checkValue(value: unknown, at: string, type: MetricType, scale: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`${at}: must be a finite number`);
  if (Math.abs(value) * scale > MAX_MAGNITUDE) {
    throw badRequest(`${at}: must be within +-${MAX_MAGNITUDE}${scale === 1 ? '' : ' once converted to ms'}`);
  }
  if (type !== 'gauge' && value < 0) {
    throw badRequest(
      `${at}: a ${type} value must not be negative${type === 'counter' ? ' (counters are deltas)' : ''}`,
    );
  }
  return value;
}
