/**
 * Binary ExportTraceServiceRequest for the model in traces.ts. Field numbers as in opentelemetry-proto
 * v1.5.0 `trace/v1/trace.proto` (ResourceSpans: resource 1, scope_spans 2; ScopeSpans: scope 1, spans 2;
 * Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, start 7, end 8,
 * attributes 9, status 15; Status: code 3).
 */

import protobuf from 'protobufjs/minimal.js';
import { fixed64, I64, keyValues, LEN, nested, tag, VARINT, type Writer } from './protobuf.ts';
import type { ExportTraceServiceRequest, Span } from './traces.ts';

export function encodeTraceRequest(request: ExportTraceServiceRequest): Uint8Array {
  const w = protobuf.Writer.create();
  for (const rs of request.resourceSpans) {
    nested(w, 1, () => {
      nested(w, 1, () => keyValues(w, 1, rs.resource.attributes));
      for (const ss of rs.scopeSpans) {
        nested(w, 2, () => {
          nested(w, 1, () => w.uint32(tag(1, LEN)).string(ss.scope.name).uint32(tag(2, LEN)).string(ss.scope.version));
          for (const span of ss.spans) nested(w, 2, () => writeSpan(w, span));
        });
      }
    });
  }
  return w.finish();
}

function writeSpan(w: Writer, s: Span): void {
  w.uint32(tag(1, LEN)).bytes(Buffer.from(s.traceId, 'hex'));
  w.uint32(tag(2, LEN)).bytes(Buffer.from(s.spanId, 'hex'));
  if (s.traceState) w.uint32(tag(3, LEN)).string(s.traceState);
  if (s.parentSpanId) w.uint32(tag(4, LEN)).bytes(Buffer.from(s.parentSpanId, 'hex'));
  w.uint32(tag(5, LEN)).string(s.name);
  w.uint32(tag(6, VARINT)).int32(s.kind);
  fixed64(w.uint32(tag(7, I64)), s.startTimeUnixNano);
  fixed64(w.uint32(tag(8, I64)), s.endTimeUnixNano);
  keyValues(w, 9, s.attributes);
  const { status } = s;
  if (status) nested(w, 15, () => w.uint32(tag(3, VARINT)).int32(status.code));
}
