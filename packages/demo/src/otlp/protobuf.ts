/**
 * Binary OTLP for the model built in model.ts, written with protobufjs/minimal's Writer (no generated code,
 * no .proto files at run time: the demo only ever writes these few messages). Field numbers as in
 * opentelemetry-proto (shared/otlp-samples/metrics-proto-fields.txt).
 */

import protobuf from 'protobufjs/minimal.js';
import type {
  AnyValue,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  KeyValue,
  Metric,
  NumberDataPoint,
  ResourceMetrics,
} from './model.ts';

export type Writer = protobuf.Writer;
export const LEN = 2;
export const I64 = 1;
export const VARINT = 0;
export const tag = (field: number, wire: number) => ((field << 3) | wire) >>> 0;

export function encodeExportRequest(request: ExportMetricsServiceRequest): Uint8Array {
  const w = protobuf.Writer.create();
  for (const rm of request.resourceMetrics) nested(w, 1, () => resourceMetrics(w, rm));
  return w.finish();
}

/** Length-delimited submessage: fork, write the body, then prefix its length. */
export function nested(w: Writer, field: number, body: () => void): void {
  w.uint32(tag(field, LEN)).fork();
  body();
  w.ldelim();
}

function resourceMetrics(w: Writer, rm: ResourceMetrics): void {
  nested(w, 1, () => keyValues(w, 1, rm.resource.attributes));
  for (const sm of rm.scopeMetrics) {
    nested(w, 2, () => {
      nested(w, 1, () => w.uint32(tag(1, LEN)).string(sm.scope.name).uint32(tag(2, LEN)).string(sm.scope.version));
      for (const m of sm.metrics) nested(w, 2, () => metric(w, m));
    });
  }
}

function metric(w: Writer, m: Metric): void {
  w.uint32(tag(1, LEN)).string(m.name);
  if (m.unit) w.uint32(tag(3, LEN)).string(m.unit);
  if (m.gauge) {
    const { dataPoints } = m.gauge;
    nested(w, 5, () => {
      for (const p of dataPoints) nested(w, 1, () => numberPoint(w, p));
    });
  }
  if (m.histogram) {
    const { dataPoints, aggregationTemporality } = m.histogram;
    nested(w, 9, () => {
      for (const p of dataPoints) nested(w, 1, () => histogramPoint(w, p));
      w.uint32(tag(2, VARINT)).int32(aggregationTemporality);
    });
  }
}

function numberPoint(w: Writer, p: NumberDataPoint): void {
  fixed64(w.uint32(tag(2, I64)), p.startTimeUnixNano);
  fixed64(w.uint32(tag(3, I64)), p.timeUnixNano);
  w.uint32(tag(4, I64)).double(p.asDouble);
  keyValues(w, 7, p.attributes);
}

function histogramPoint(w: Writer, p: HistogramDataPoint): void {
  fixed64(w.uint32(tag(2, I64)), p.startTimeUnixNano);
  fixed64(w.uint32(tag(3, I64)), p.timeUnixNano);
  fixed64(w.uint32(tag(4, I64)), p.count);
  w.uint32(tag(5, I64)).double(p.sum);
  // proto3 packs repeated scalars: one length-delimited run per field.
  w.uint32(tag(6, LEN)).fork();
  for (const c of p.bucketCounts) fixed64(w, c);
  w.ldelim();
  w.uint32(tag(7, LEN)).fork();
  for (const b of p.explicitBounds) w.double(b);
  w.ldelim();
  keyValues(w, 9, p.attributes);
  w.uint32(tag(11, I64)).double(p.min);
  w.uint32(tag(12, I64)).double(p.max);
}

export function keyValues(w: Writer, field: number, attributes: KeyValue[]): void {
  for (const kv of attributes) {
    nested(w, field, () => {
      w.uint32(tag(1, LEN)).string(kv.key);
      nested(w, 2, () => anyValue(w, kv.value));
    });
  }
}

function anyValue(w: Writer, v: AnyValue): void {
  if ('stringValue' in v) w.uint32(tag(1, LEN)).string(v.stringValue);
  else if ('boolValue' in v) w.uint32(tag(2, VARINT)).bool(v.boolValue);
  else if ('intValue' in v) {
    const { low, high } = split(v.intValue);
    // Writer.int64 takes a Long-like {low, high}; the typings want the full Long class.
    w.uint32(tag(3, VARINT)).int64({ low, high, unsigned: false } as unknown as number);
  } else w.uint32(tag(4, I64)).double(v.doubleValue);
}

/** A decimal uint64 as two little-endian 32-bit words: nanosecond times do not fit a double exactly. */
export function fixed64(w: Writer, decimal: string): void {
  const { low, high } = split(decimal);
  w.fixed32(low).fixed32(high);
}

function split(decimal: string): { low: number; high: number } {
  const n = BigInt.asUintN(64, BigInt(decimal));
  return { low: Number(n & 0xffff_ffffn), high: Number(n >> 32n) };
}

/**
 * The partialSuccess of a binary Export{Metrics,Trace}ServiceResponse (the same layout: rejected count = 1,
 * error_message = 2); an empty body means everything was taken.
 */
export function decodeExportResponse(bytes: Uint8Array): { rejected: number; message: string } {
  const result = { rejected: 0, message: '' };
  const r = protobuf.Reader.create(bytes);
  while (r.pos < r.len) {
    const t = r.uint32();
    if (t !== tag(1, LEN)) {
      r.skipType(t & 7);
      continue;
    }
    const inner = protobuf.Reader.create(r.bytes());
    while (inner.pos < inner.len) {
      const it = inner.uint32();
      if (it === tag(1, VARINT)) result.rejected = Number(String(inner.int64()));
      else if (it === tag(2, LEN)) result.message = inner.string();
      else inner.skipType(it & 7);
    }
  }
  return result;
}
