import Type, { type Static } from 'typebox';

/** Attribute values a series may carry. */
export type AttributeValue = string | number | boolean;

export const METRIC_TYPES = ['gauge', 'counter', 'histogram'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/**
 * What one series may carry, for native and OTLP ingest alike: name lengths (service, metric, attribute key),
 * unit length, attributes per series and characters per string attribute value; and how far ahead of the
 * server clock a timestamp may be.
 */
export const INGEST_LIMITS = {
  maxNameLength: 256,
  maxUnitLength: 64,
  maxAttributes: 64,
  maxAttributeValueLength: 4096,
  maxAheadMs: 10 * 60_000,
  /** Buckets (rows of its commit) one request's observations may fill (the server's `BucketBudget`). */
  maxBucketsPerRequest: 100_000,
} as const;

/**
 * One item of a native batch. Either `value` (+ optional `timestamp`) or `points: [[timestamp, value], ...]`.
 * The server validates items by hand (the hot path, ingest/native/decode.ts) with the same limits; this schema
 * documents the shape in OpenAPI.
 */
export const NativeItemSchema = Type.Object({
  service: Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxNameLength }),
  name: Type.String({ minLength: 1, maxLength: INGEST_LIMITS.maxNameLength }),
  type: Type.Union([Type.Literal('gauge'), Type.Literal('counter'), Type.Literal('histogram')]),
  unit: Type.Optional(
    Type.String({ maxLength: INGEST_LIMITS.maxUnitLength, description: 'histograms: ms by default' }),
  ),
  value: Type.Optional(Type.Number({ description: 'counters and histograms: >= 0' })),
  timestamp: Type.Optional(Type.Number({ description: 'epoch ms; default now' })),
  points: Type.Optional(Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 1 })),
  attributes: Type.Optional(
    Type.Record(
      Type.String(),
      Type.Union([Type.String({ maxLength: INGEST_LIMITS.maxAttributeValueLength }), Type.Number(), Type.Boolean()]),
      {
        maxProperties: INGEST_LIMITS.maxAttributes,
        description: `keys of 1..${INGEST_LIMITS.maxNameLength} characters`,
      },
    ),
  ),
});
export type NativeItem = Static<typeof NativeItemSchema>;

export const NativeBatchSchema = Type.Object({ metrics: Type.Array(NativeItemSchema) });
export type NativeBatch = Static<typeof NativeBatchSchema>;

export const IngestAcceptedSchema = Type.Object({ accepted: Type.Integer() });
export type IngestAccepted = Static<typeof IngestAcceptedSchema>;

/** Metric names and attribute keys the RED views are computed from (OpenTelemetry semantic conventions). */
export const RED_METRIC = 'http.server.request.duration';
/** The name older OpenTelemetry HTTP instrumentation reports (in ms, status in `http.status_code`); feeds RED too. */
export const LEGACY_RED_METRIC = 'http.server.duration';
export const CPU_METRIC = 'process.cpu.utilization';
export const MEMORY_METRIC = 'process.memory.usage';
export const ROUTE_ATTR = 'http.route';
export const STATUS_ATTR = 'http.response.status_code';
export const ERROR_TYPE_ATTR = 'error.type';
export const INSTANCE_ATTR = 'service.instance.id';

/**
 * Series Pulseboard derives from OTLP spans (`POST /v1/traces`): request durations of SERVER, CONSUMER and
 * root spans, which feed RED like RED_METRIC, and durations of calls to other services (CLIENT and PRODUCER
 * spans, and cross-service parent links), of the calling service with the called one in PEER_SERVICE_ATTR.
 */
export const TRACE_RED_METRIC = 'pulseboard.span.server.duration';
export const TRACE_CALLS_METRIC = 'pulseboard.span.calls.duration';
export const PEER_SERVICE_ATTR = 'peer.service';
/** Set to "unknown" on span series whose spans did not say how they were sampled (counted as received). */
export const SAMPLING_ATTR = 'pulseboard.sampling';
