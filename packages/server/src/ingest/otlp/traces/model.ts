import type { Attributes } from '../model.ts';

/**
 * What Pulseboard reads from an OTLP trace export, as both decoders (protobuf and JSON) produce it. Spans
 * are not stored: each keeps only what RED and calls between services are computed from, and only the
 * span attributes those need (`SPAN_ATTRIBUTES`), so a span with fifty attributes costs no more than one
 * with five.
 */
export interface TraceExport {
  resources: SpanResource[];
}

export interface SpanResource {
  attributes: Attributes;
  spans: DecodedSpan[];
}

/** SpanKind as numbered in opentelemetry/proto/trace/v1/trace.proto (v1.5.0). */
export const SPAN_KIND = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

/** Status.StatusCode (trace.proto v1.5.0): 0 UNSET, 1 OK, 2 ERROR. */
export const STATUS_ERROR = 2;

export interface DecodedSpan {
  /** Hex in both encodings, so spans link by id the same way whichever encoding carried them. */
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  /** Epoch ms (floored), 0 when missing. */
  end: number;
  /** end - start in ms, from the nanosecond times (exact below 2^53 ns), NaN when a time is missing. */
  durationMs: number;
  /** Status.code. */
  status: number;
  /** Only the keys in SPAN_ATTRIBUTES. */
  attributes: Attributes;
}

/**
 * The span attributes Pulseboard reads (OpenTelemetry semantic conventions; the `http.status_code` and
 * `net.peer.name` spellings are the pre-1.20 ones that older instrumentation still sends by default).
 */
export const SPAN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'http.route',
  'http.response.status_code',
  'http.status_code',
  'error.type',
  'peer.service',
  'server.address',
  'server.port',
  'net.peer.name',
]);
