import type { FastifyInstance } from 'fastify';
import protobuf from 'protobufjs/minimal.js';
import { expect } from 'vitest';

/**
 * Test helper: encodes an OTLP/JSON-shaped object as binary protobuf, so a test can send the same request
 * in both encodings and cases the SDK never produces (summaries, negative buckets, bad enums) as protobuf.
 * Field numbers as in PROTO_FIELDS.md (beside this file); spans as in traces/decode-protobuf.ts.
 */
type Scalar =
  | 'string'
  | 'bool'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'int64'
  | 'fixed64'
  | 'fixed32'
  | 'sfixed64'
  | 'double'
  | 'bytes'
  /** bytes given as hex in OTLP/JSON (trace and span ids) */
  | 'hex';
type Packed = 'packedFixed64' | 'packedDouble' | 'packedUint64';
/** Field number and type: a scalar, a packed repeated scalar, or the name of a message in SCHEMA. */
type Field = [number, Scalar | Packed | string];

const time = { startTimeUnixNano: [2, 'fixed64'], timeUnixNano: [3, 'fixed64'] } satisfies Record<string, Field>;

const SCHEMA = {
  ExportMetricsServiceRequest: { resourceMetrics: [1, 'ResourceMetrics'] },
  ResourceMetrics: { resource: [1, 'Resource'], scopeMetrics: [2, 'ScopeMetrics'], schemaUrl: [3, 'string'] },
  Resource: { attributes: [1, 'KeyValue'], droppedAttributesCount: [2, 'uint32'] },
  ScopeMetrics: { scope: [1, 'InstrumentationScope'], metrics: [2, 'Metric'], schemaUrl: [3, 'string'] },
  InstrumentationScope: { name: [1, 'string'], version: [2, 'string'], attributes: [3, 'KeyValue'] },
  Metric: {
    name: [1, 'string'],
    description: [2, 'string'],
    unit: [3, 'string'],
    gauge: [5, 'Gauge'],
    sum: [7, 'Sum'],
    histogram: [9, 'Histogram'],
    exponentialHistogram: [10, 'ExponentialHistogram'],
    summary: [11, 'Summary'],
  },
  Gauge: { dataPoints: [1, 'NumberDataPoint'] },
  Sum: { dataPoints: [1, 'NumberDataPoint'], aggregationTemporality: [2, 'int32'], isMonotonic: [3, 'bool'] },
  Histogram: { dataPoints: [1, 'HistogramDataPoint'], aggregationTemporality: [2, 'int32'] },
  ExponentialHistogram: { dataPoints: [1, 'ExponentialHistogramDataPoint'], aggregationTemporality: [2, 'int32'] },
  Summary: { dataPoints: [1, 'SummaryDataPoint'] },
  NumberDataPoint: {
    ...time,
    asDouble: [4, 'double'],
    asInt: [6, 'sfixed64'],
    attributes: [7, 'KeyValue'],
    flags: [8, 'uint32'],
  },
  HistogramDataPoint: {
    ...time,
    count: [4, 'fixed64'],
    sum: [5, 'double'],
    bucketCounts: [6, 'packedFixed64'],
    explicitBounds: [7, 'packedDouble'],
    attributes: [9, 'KeyValue'],
    flags: [10, 'uint32'],
    min: [11, 'double'],
    max: [12, 'double'],
  },
  ExponentialHistogramDataPoint: {
    ...time,
    attributes: [1, 'KeyValue'],
    count: [4, 'fixed64'],
    sum: [5, 'double'],
    scale: [6, 'sint32'],
    zeroCount: [7, 'fixed64'],
    positive: [8, 'Buckets'],
    negative: [9, 'Buckets'],
    flags: [10, 'uint32'],
    min: [12, 'double'],
    max: [13, 'double'],
    zeroThreshold: [14, 'double'],
  },
  Buckets: { offset: [1, 'sint32'], bucketCounts: [2, 'packedUint64'] },
  SummaryDataPoint: {
    ...time,
    count: [4, 'fixed64'],
    sum: [5, 'double'],
    quantileValues: [6, 'ValueAtQuantile'],
    attributes: [7, 'KeyValue'],
    flags: [8, 'uint32'],
  },
  ValueAtQuantile: { quantile: [1, 'double'], value: [2, 'double'] },
  KeyValue: { key: [1, 'string'], value: [2, 'AnyValue'] },
  AnyValue: {
    stringValue: [1, 'string'],
    boolValue: [2, 'bool'],
    intValue: [3, 'int64'],
    doubleValue: [4, 'double'],
    arrayValue: [5, 'ArrayValue'],
    kvlistValue: [6, 'KeyValueList'],
    bytesValue: [7, 'bytes'],
  },
  ArrayValue: { values: [1, 'AnyValue'] },
  ExportTraceServiceRequest: { resourceSpans: [1, 'ResourceSpans'] },
  ResourceSpans: { resource: [1, 'Resource'], scopeSpans: [2, 'ScopeSpans'], schemaUrl: [3, 'string'] },
  ScopeSpans: { scope: [1, 'InstrumentationScope'], spans: [2, 'Span'], schemaUrl: [3, 'string'] },
  Span: {
    traceId: [1, 'hex'],
    spanId: [2, 'hex'],
    traceState: [3, 'string'],
    parentSpanId: [4, 'hex'],
    name: [5, 'string'],
    kind: [6, 'int32'],
    startTimeUnixNano: [7, 'fixed64'],
    endTimeUnixNano: [8, 'fixed64'],
    attributes: [9, 'KeyValue'],
    droppedAttributesCount: [10, 'uint32'],
    status: [15, 'Status'],
    flags: [16, 'fixed32'],
  },
  Status: { message: [2, 'string'], code: [3, 'int32'] },
  KeyValueList: { values: [1, 'KeyValue'] },
} satisfies Record<string, Record<string, Field>>;

type MessageName = keyof typeof SCHEMA;

const WIRE: Record<Scalar, number> = {
  string: 2,
  bytes: 2,
  hex: 2,
  bool: 0,
  int32: 0,
  uint32: 0,
  sint32: 0,
  int64: 0,
  fixed64: 1,
  fixed32: 5,
  sfixed64: 1,
  double: 1,
};

export function encodeOtlpProtobuf(request: unknown, message: MessageName = 'ExportMetricsServiceRequest'): Buffer {
  const w = protobuf.Writer.create();
  writeMessage(w, message, request as Record<string, unknown>);
  return Buffer.from(w.finish());
}

function writeMessage(w: protobuf.Writer, name: MessageName, value: Record<string, unknown>): void {
  const fields: Record<string, Field> = SCHEMA[name];
  for (const [key, v] of Object.entries(value)) {
    const field = fields[key];
    if (!field || v === undefined || v === null) continue;
    const [number, type] = field;
    for (const item of Array.isArray(v) && !type.startsWith('packed') ? v : [v]) writeField(w, number, type, item);
  }
}

function writeField(w: protobuf.Writer, number: number, type: Field[1], v: unknown): void {
  if (type in SCHEMA) {
    w.uint32((number << 3) | 2).fork();
    writeMessage(w, type as MessageName, v as Record<string, unknown>);
    w.ldelim();
    return;
  }
  if (type.startsWith('packed')) {
    w.uint32((number << 3) | 2).fork();
    for (const item of v as (number | string)[]) {
      if (type === 'packedFixed64') w.fixed64(item);
      else if (type === 'packedDouble') w.double(Number(item));
      else w.uint64(item);
    }
    w.ldelim();
    return;
  }
  w.uint32((number << 3) | WIRE[type as Scalar]);
  if (type === 'bytes') w.bytes(Buffer.from(String(v), 'base64'));
  else if (type === 'hex') w.bytes(Buffer.from(String(v), 'hex'));
  else if (type === 'double') w.double(typeof v === 'string' ? Number(v) : (v as number));
  else (w[type as Exclude<Scalar, 'bytes' | 'hex' | 'double'>] as (x: unknown) => protobuf.Writer).call(w, v);
}

/** Test helper: a google.rpc.Status body. */
export function readStatus(bytes: Uint8Array): { code: number; message: string } {
  const r = protobuf.Reader.create(bytes);
  const status = { code: 0, message: '' };
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) status.code = r.int32();
    else if (tag >>> 3 === 2) status.message = r.string();
    else r.skipType(tag & 7);
  }
  return status;
}

/** Test helper: an Export*ServiceResponse body's partialSuccess, or null when empty. */
export function readResponse(bytes: Uint8Array): { rejected: number; message: string } | null {
  const r = protobuf.Reader.create(bytes);
  let partial: { rejected: number; message: string } | null = null;
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 !== 1) {
      r.skipType(tag & 7);
      continue;
    }
    const inner = protobuf.Reader.create(r.bytes());
    partial = { rejected: 0, message: '' };
    while (inner.pos < inner.len) {
      const t = inner.uint32();
      if (t >>> 3 === 1) partial.rejected = Number(inner.int64());
      else if (t >>> 3 === 2) partial.message = inner.string();
      else inner.skipType(t & 7);
    }
  }
  return partial;
}

export const JSON_TYPE = { 'content-type': 'application/json' };
export const PROTOBUF_TYPE = { 'content-type': 'application/x-protobuf' };

/** A body an OTLP route must refuse: what it is, the bytes, the request headers and the status expected. */
export type RefusedBody = [what: string, body: Buffer, headers: Record<string, string>, status: number];

/**
 * Posts each body to `url` and expects its status with a google.rpc.Status answer in the request's encoding
 * (code 8 RESOURCE_EXHAUSTED for 413, else 3 INVALID_ARGUMENT) that says why.
 */
export async function expectRpcRefusals(app: FastifyInstance, url: string, cases: RefusedBody[]): Promise<void> {
  for (const [what, payload, headers, status] of cases) {
    const res = await app.inject({ method: 'POST', url, headers, payload });
    expect(res.statusCode, what).toBe(status);
    const rpc = headers['content-type'] === PROTOBUF_TYPE['content-type'] ? readStatus(res.rawPayload) : res.json();
    expect(rpc.code, what).toBe(status === 413 ? 8 : 3);
    expect(rpc.message, what).toBeTruthy();
  }
}
