import { type Attributes, DecodeError } from '../model.ts';
import { readExportRequest, readKeyValue } from '../proto-common.ts';
import {
  bytesOf,
  checkEnd,
  expectWire,
  lengthEnd,
  nanoPartsToMs,
  type Reader,
  readTag,
  skipField,
  varint64,
  WIRE_BYTES,
  WIRE_FIXED64,
  WIRE_VARINT,
} from '../wire.ts';
import { type DecodedSpan, SPAN_ATTRIBUTES, type TraceExport } from './model.ts';
import { Utf8Cache } from './utf8-cache.ts';

/** Span names, tracestate and wanted attribute values, decoded once per distinct bytes (see Utf8Cache). */
const strings = new Utf8Cache();

/**
 * ExportTraceServiceRequest (binary protobuf) into the spans' RED-relevant fields. Field numbers are those
 * of opentelemetry-proto v1.5.0 `opentelemetry/proto/trace/v1/trace.proto` and
 * `collector/trace/v1/trace_service.proto`, as the serializer of @opentelemetry/otlp-transformer 0.223.0
 * (`build/src/trace/protobuf/trace-serializer.js`) writes them:
 *   ExportTraceServiceRequest { resource_spans = 1 }
 *   ResourceSpans { resource = 1, scope_spans = 2, schema_url = 3 }
 *   ScopeSpans { scope = 1, spans = 2, schema_url = 3 }
 *   Span { trace_id = 1, span_id = 2, trace_state = 3, parent_span_id = 4, name = 5, kind = 6 (enum),
 *          start_time_unix_nano = 7 (fixed64), end_time_unix_nano = 8 (fixed64), attributes = 9,
 *          dropped_attributes_count = 10, events = 11, dropped_events_count = 12, links = 13,
 *          dropped_links_count = 14, status = 15, flags = 16 (fixed32) }
 *   Status { message = 2, code = 3 (enum) }
 * Throws DecodeError (or protobufjs' Error on truncation) for anything malformed.
 */
export function decodeTracesProtobuf(buf: Uint8Array): TraceExport {
  const resources = readExportRequest(buf, 'Spans', readSpan);
  return { resources: resources.map(({ attributes, items }) => ({ attributes, spans: items })) };
}

/** Span (trace.proto v1.5.0), field numbers in the comment of decodeTracesProtobuf. */
function readSpan(r: Reader, limit: number): DecodedSpan {
  const end = lengthEnd(r, limit);
  const span: DecodedSpan = {
    spanId: '',
    parentSpanId: '',
    traceState: '',
    name: '',
    kind: 0,
    end: 0,
    durationMs: Number.NaN,
    status: 0,
    attributes: {},
  };
  let startLo = -1;
  let startHi = 0;
  let endLo = -1;
  let endHi = 0;
  while (r.pos < end) {
    const tag = readTag(r);
    switch (tag >>> 3) {
      case 1:
        expectWire(tag, WIRE_BYTES, 'Span.traceId');
        r.pos = idEnd(r, end, 16, 'Span.traceId');
        break;
      case 2:
        expectWire(tag, WIRE_BYTES, 'Span.spanId');
        span.spanId = hexBytes(r, end, 'Span.spanId');
        break;
      case 3:
        expectWire(tag, WIRE_BYTES, 'Span.traceState');
        span.traceState = cachedString(r, end);
        break;
      case 4:
        expectWire(tag, WIRE_BYTES, 'Span.parentSpanId');
        span.parentSpanId = hexBytes(r, end, 'Span.parentSpanId');
        break;
      case 5:
        expectWire(tag, WIRE_BYTES, 'Span.name');
        span.name = cachedString(r, end);
        break;
      case 6:
        expectWire(tag, WIRE_VARINT, 'Span.kind');
        span.kind = r.int32();
        break;
      case 7:
        expectWire(tag, WIRE_FIXED64, 'Span.startTimeUnixNano');
        startLo = r.fixed32();
        startHi = r.fixed32();
        break;
      case 8:
        expectWire(tag, WIRE_FIXED64, 'Span.endTimeUnixNano');
        endLo = r.fixed32();
        endHi = r.fixed32();
        break;
      case 9:
        expectWire(tag, WIRE_BYTES, 'Span.attributes');
        readWantedAttribute(r, end, span.attributes);
        break;
      case 15:
        expectWire(tag, WIRE_BYTES, 'Span.status');
        span.status = readStatusCode(r, end);
        break;
      default:
        skipField(r, tag, end);
    }
  }
  checkEnd(r, end, 'Span');
  if (endLo >= 0) span.end = nanoPartsToMs(endLo, endHi);
  // The difference of the two 64-bit times, exact while it is below 2^53 ns (104 days).
  if (startLo >= 0 && endLo >= 0) span.durationMs = ((endHi - startHi) * 4_294_967_296 + (endLo - startLo)) / 1e6;
  return span;
}

/** A span id's bytes as hex: 8 bytes, or none (a span without one). */
function hexBytes(r: Reader, limit: number, what: string): string {
  const end = idEnd(r, limit, 8, what);
  const hex = bytesOf(r).toString('hex', r.pos, end);
  r.pos = end;
  return hex;
}

/**
 * Where the id field at `r` ends, its length read: `size` bytes or none. A 3-byte span id named nothing it
 * could link to, and the collector refuses one too.
 */
function idEnd(r: Reader, limit: number, size: number, what: string): number {
  const end = lengthEnd(r, limit);
  const length = end - r.pos;
  if (length !== 0 && length !== size) throw new DecodeError(`${what}: ${length} bytes, expected ${size}`);
  return end;
}

function cachedString(r: Reader, limit: number): string {
  const end = lengthEnd(r, limit);
  const text = strings.get(bytesOf(r), r.pos, end);
  r.pos = end;
  return text;
}

/**
 * One KeyValue (common.proto v1.5.0: key = 1, value = 2), decoded only when its key is one Pulseboard reads:
 * the key is read first (an SDK writes it first), and other attributes are skipped without decoding values.
 * A wanted value that is a plain string or int (AnyValue string_value = 1, int_value = 3), as these
 * attributes are, is read here; anything else goes through the general reader.
 */
function readWantedAttribute(r: Reader, limit: number, into: Attributes): void {
  const start = r.pos;
  const end = lengthEnd(r, limit);
  const first = r.pos < end ? readTag(r) : 0;
  if (first === ((1 << 3) | WIRE_BYTES)) {
    const keyEnd = lengthEnd(r, end);
    // Compared as bytes: making a string of every attribute key was a tenth of the decode.
    const key = wantedKey(bytesOf(r), r.pos, keyEnd);
    if (key === null) {
      r.pos = end;
      return;
    }
    r.pos = keyEnd;
    if (r.pos < end && readTag(r) === ((2 << 3) | WIRE_BYTES) && readPlainValue(r, end, key, into)) return;
  }
  r.pos = start;
  const decoded: Attributes = {};
  readKeyValue(r, limit, decoded);
  for (const key in decoded) if (SPAN_ATTRIBUTES.has(key)) into[key] = decoded[key]!;
}

/**
 * An AnyValue holding just a string_value or an int_value and ending the KeyValue, into `into[key]`; false
 * (position undefined) for anything else, which the general reader then decodes from the start.
 */
function readPlainValue(r: Reader, kvEnd: number, key: string, into: Attributes): boolean {
  const end = lengthEnd(r, kvEnd);
  if (end !== kvEnd || r.pos >= end) return false;
  const tag = readTag(r);
  if (tag === ((1 << 3) | WIRE_BYTES)) {
    const text = cachedString(r, end);
    if (r.pos !== end) return false;
    into[key] = text;
    return true;
  }
  if (tag === ((3 << 3) | WIRE_VARINT)) {
    const value = varint64(r);
    if (r.pos !== end) return false;
    into[key] = value;
    return true;
  }
  return false;
}

/** The wanted attribute keys as bytes, by length. */
const WANTED_BY_LENGTH = new Map<number, { key: string; bytes: Buffer }[]>();
for (const key of SPAN_ATTRIBUTES) {
  const bytes = Buffer.from(key);
  WANTED_BY_LENGTH.set(bytes.length, [...(WANTED_BY_LENGTH.get(bytes.length) ?? []), { key, bytes }]);
}

/** The wanted key these bytes spell, or null. */
function wantedKey(buf: Buffer, from: number, to: number): string | null {
  const candidates = WANTED_BY_LENGTH.get(to - from);
  if (!candidates) return null;
  for (const { key, bytes } of candidates) {
    let i = 0;
    while (i < bytes.length && bytes[i] === buf[from + i]) i++;
    if (i === bytes.length) return key;
  }
  return null;
}

/** Status (trace.proto v1.5.0): code = 3; message = 2 is not needed. */
function readStatusCode(r: Reader, limit: number): number {
  const end = lengthEnd(r, limit);
  let code = 0;
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 3) {
      expectWire(tag, WIRE_VARINT, 'Status.code');
      code = r.int32();
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'Status');
  return code;
}
