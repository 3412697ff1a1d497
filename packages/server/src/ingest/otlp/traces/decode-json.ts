import { array, attributes, integer, type Json, nanosToMs, object, parseBody, string } from '../json-values.ts';
import { DecodeError } from '../model.ts';
import { type DecodedSpan, SPAN_ATTRIBUTES, SPAN_KIND, type SpanResource, type TraceExport } from './model.ts';

/**
 * ExportTraceServiceRequest in the OTLP/JSON mapping (opentelemetry-proto v1.5.0 `docs/specification.md`,
 * "JSON Protobuf Encoding"): field names in lowerCamelCase, span ids as hex (not base64), 64-bit times as
 * decimal strings, enums as numbers (names accepted too). Fields of the wrong type are a DecodeError
 * naming their path.
 */
export function decodeTracesJson(body: Buffer): TraceExport {
  const root = parseBody(body);
  // As for metrics: `null` or a list is no export (an empty one is `{}`).
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new DecodeError('body: must be a JSON object {"resourceSpans":[...]}');
  }
  const resources: SpanResource[] = [];
  array((root as Json).resourceSpans, 'resourceSpans').forEach((item, i) => {
    const path = `resourceSpans[${i}]`;
    const rs = object(item, path);
    const resource = object(rs.resource, `${path}.resource`);
    const spans: DecodedSpan[] = [];
    array(rs.scopeSpans, `${path}.scopeSpans`).forEach((scope, j) => {
      const scopePath = `${path}.scopeSpans[${j}]`;
      array(object(scope, scopePath).spans, `${scopePath}.spans`).forEach((span, k) => {
        spans.push(readSpan(object(span, `${scopePath}.spans[${k}]`), `${scopePath}.spans[${k}]`));
      });
    });
    resources.push({ attributes: attributes(resource.attributes, `${path}.resource.attributes`), spans });
  });
  return { resources };
}

const KIND_BY_NAME: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: SPAN_KIND.unspecified,
  SPAN_KIND_INTERNAL: SPAN_KIND.internal,
  SPAN_KIND_SERVER: SPAN_KIND.server,
  SPAN_KIND_CLIENT: SPAN_KIND.client,
  SPAN_KIND_PRODUCER: SPAN_KIND.producer,
  SPAN_KIND_CONSUMER: SPAN_KIND.consumer,
};
const STATUS_BY_NAME: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

function readSpan(s: Json, path: string): DecodedSpan {
  const all = attributes(s.attributes, `${path}.attributes`);
  const kept: DecodedSpan['attributes'] = {};
  for (const key in all) if (SPAN_ATTRIBUTES.has(key)) kept[key] = all[key]!;
  const status = object(s.status, `${path}.status`);
  const hasTimes = s.startTimeUnixNano != null && s.endTimeUnixNano != null;
  hex(s.traceId, `${path}.traceId`, 16);
  return {
    spanId: hex(s.spanId, `${path}.spanId`, 8),
    parentSpanId: hex(s.parentSpanId, `${path}.parentSpanId`, 8),
    traceState: string(s.traceState, `${path}.traceState`),
    name: string(s.name, `${path}.name`),
    kind: enumValue(s.kind, KIND_BY_NAME, `${path}.kind`),
    end: nanosToMs(s.endTimeUnixNano, `${path}.endTimeUnixNano`),
    durationMs: hasTimes
      ? nanosDifferenceMs(s.startTimeUnixNano, s.endTimeUnixNano, `${path}.startTimeUnixNano`)
      : Number.NaN,
    status: enumValue(status.code, STATUS_BY_NAME, `${path}.status.code`),
    attributes: kept,
  };
}

const HEX = /^[0-9a-fA-F]*$/;

/** An id of `bytes` bytes in hex (OTLP/JSON), or none: a span without one. */
function hex(value: unknown, path: string, bytes: number): string {
  const text = string(value, path);
  if (!HEX.test(text)) throw new DecodeError(`${path}: must be hex (got "${text.slice(0, 40)}")`);
  if (text.length !== 0 && text.length !== 2 * bytes) {
    throw new DecodeError(`${path}: must be ${bytes} bytes, ${2 * bytes} hex digits (got ${text.length})`);
  }
  return text.toLowerCase();
}

function enumValue(value: unknown, byName: Readonly<Record<string, number>>, path: string): number {
  if (typeof value === 'string' && Object.hasOwn(byName, value)) return byName[value]!;
  return integer(value, path, 0);
}

/**
 * end - start in ms from two nanosecond times, exact for decimal strings (as the mapping sends them): the
 * digits above 10^12 ns and those below are subtracted separately, each well inside a double's 2^53.
 */
function nanosDifferenceMs(start: unknown, end: unknown, path: string): number {
  if (typeof start === 'string' && typeof end === 'string' && start.length > 12 && end.length > 12) {
    const high = Number(end.slice(0, -12)) - Number(start.slice(0, -12));
    const low = Number(end.slice(-12)) - Number(start.slice(-12));
    if (Number.isInteger(high) && Number.isInteger(low)) return high * 1e6 + low / 1e6;
  }
  return (integer(end, path, 0) - integer(start, path, 0)) / 1e6;
}
