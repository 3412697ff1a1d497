import {
  DecodeError,
  type MetricData,
  type OtlpExport,
  type OtlpMetric,
  TEMPORALITY_BY_NUMBER,
  type Temporality,
} from './model.ts';
import { resetAttributeCache } from './proto-attributes.ts';
import { countEntry, readExportRequest } from './proto-common.ts';
import { readExponentialPoint, readHistogramPoint, readNumberPoint, readSummaryPoint } from './proto-points.ts';
import { checkEnd, expectWire, lengthEnd, type Reader, readTag, skipField, WIRE_BYTES, WIRE_VARINT } from './wire.ts';

/**
 * ExportMetricsServiceRequest (binary protobuf) straight into the internal model, without an intermediate
 * generated-object tree: this is the hot path of OTLP ingest. Throws DecodeError for anything malformed.
 */
export function decodeMetricsProtobuf(buf: Uint8Array): OtlpExport {
  resetAttributeCache();
  const resources = readExportRequest(buf, 'Metrics', readMetric);
  return { resources: resources.map(({ attributes, items }) => ({ attributes, metrics: items })) };
}

/** Metric's data oneof, by field number. */
const DATA_READERS: Readonly<Record<number, (r: Reader, end: number, metric: string) => MetricData>> = {
  5: (r, end) => ({ type: 'gauge', points: readPoints(r, end, readNumberPoint) }),
  7: readSum,
  9: (r, end, metric) => {
    const { points, temporality } = readAggregate(r, end, metric, 'histogram', readHistogramPoint);
    return { type: 'histogram', temporality, points };
  },
  10: (r, end, metric) => {
    const { points, temporality } = readAggregate(r, end, metric, 'exponentialHistogram', readExponentialPoint);
    return { type: 'exponentialHistogram', temporality, points };
  },
  11: (r, end) => ({ type: 'summary', points: readPoints(r, end, readSummaryPoint) }),
};

function readMetric(r: Reader, limit: number): OtlpMetric {
  const end = lengthEnd(r, limit);
  const metric: OtlpMetric = { name: '', unit: '', data: null };
  while (r.pos < end) {
    const tag = readTag(r);
    const field = tag >>> 3;
    const readData = DATA_READERS[field];
    if (readData) {
      expectWire(tag, WIRE_BYTES, `metric "${metric.name}" data`);
      const dataEnd = lengthEnd(r, end);
      metric.data = readData(r, dataEnd, metric.name);
      checkEnd(r, dataEnd, `metric "${metric.name}" data`);
    } else if (field === 1) {
      expectWire(tag, WIRE_BYTES, 'Metric.name');
      metric.name = r.string();
    } else if (field === 3) {
      expectWire(tag, WIRE_BYTES, 'Metric.unit');
      metric.unit = r.string();
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'Metric');
  return metric;
}

/** Gauge and Summary: just `dataPoints = 1`. */
function readPoints<P>(r: Reader, end: number, readPoint: (r: Reader, limit: number) => P): P[] {
  const points: P[] = [];
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, 'dataPoints');
      countEntry();
      points.push(readPoint(r, end));
    } else skipField(r, tag, end);
  }
  return points;
}

function readSum(r: Reader, end: number, metric: string): MetricData {
  let monotonic = false;
  const { points, temporality } = readAggregate(r, end, metric, 'sum', readNumberPoint, (tag) => {
    expectWire(tag, WIRE_VARINT, 'Sum.isMonotonic');
    monotonic = r.bool();
  });
  return { type: 'sum', temporality, monotonic, points };
}

/** Sum and the histograms: `dataPoints = 1`, `aggregationTemporality = 2`, and Sum's `isMonotonic = 3`. */
function readAggregate<P>(
  r: Reader,
  end: number,
  metric: string,
  kind: string,
  readPoint: (r: Reader, limit: number) => P,
  onField3?: (tag: number) => void,
): { points: P[]; temporality: Temporality } {
  const points: P[] = [];
  let temporalityNumber = 0;
  while (r.pos < end) {
    const tag = readTag(r);
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(tag, WIRE_BYTES, 'dataPoints');
      countEntry();
      points.push(readPoint(r, end));
    } else if (field === 2) {
      expectWire(tag, WIRE_VARINT, 'aggregationTemporality');
      temporalityNumber = r.int32();
    } else if (field === 3 && onField3) onField3(tag);
    else skipField(r, tag, end);
  }
  const temporality = TEMPORALITY_BY_NUMBER[temporalityNumber];
  if (!temporality) {
    throw new DecodeError(
      `metric "${metric}": ${kind}.aggregationTemporality ${temporalityNumber} is not 1 (DELTA) or 2 (CUMULATIVE)`,
    );
  }
  return { points, temporality };
}
