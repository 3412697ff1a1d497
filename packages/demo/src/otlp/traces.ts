/**
 * The demo traffic as OTLP spans, for `--format otlp-traces`: each request observation of a service becomes
 * a SERVER span, and a request to a service behind another (CALLERS) also a CLIENT span of the caller, its
 * parent, naming the callee in `peer.service`. Every span carries `ot=th:0` (all spans kept), so the server
 * counts them as complete rather than "from sampled traces". Gauges (CPU, memory) have no span form and are
 * left out. The model is the OTLP/JSON mapping, which trace-protobuf.ts writes as binary.
 */

import { type NativeItem, RED_METRIC, ROUTE_ATTR, STATUS_ATTR } from '@pulseboard/shared';
import { type KeyValue, toKeyValues } from './model.ts';

/** Who calls whom in the demo: gateway -> auth, orders, inventory; orders -> payments. */
export const CALLERS: Readonly<Record<string, string>> = {
  'auth-service': 'api-gateway',
  'order-service': 'api-gateway',
  'inventory-service': 'api-gateway',
  'payment-service': 'order-service',
};

/** SpanKind and Status.code as numbered in opentelemetry-proto v1.5.0 trace.proto. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const STATUS_CODE_ERROR = 2;
/** A client span opens this long before its server span starts and closes as long after it ends. */
const NETWORK_MS = 0.4;
const SCOPE = { name: '@pulseboard/demo', version: '0.1.0' };

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  status?: { code: number };
}

export interface ResourceSpans {
  resource: { attributes: KeyValue[] };
  scopeSpans: { scope: { name: string; version: string }; spans: Span[] }[];
}

export interface ExportTraceServiceRequest {
  resourceSpans: ResourceSpans[];
}

/** Builds trace exports; span and trace ids come from a counter, so a run is reproducible. */
export class TraceBuilder {
  private next = 0;

  build(items: NativeItem[]): ExportTraceServiceRequest {
    const byService = new Map<string, Span[]>();
    const spansOf = (service: string) => {
      let spans = byService.get(service);
      if (!spans) byService.set(service, (spans = []));
      return spans;
    };
    for (const item of items) {
      if (item.name !== RED_METRIC || !item.points) continue;
      const route = String(item.attributes?.[ROUTE_ATTR] ?? '/');
      const status = Number(item.attributes?.[STATUS_ATTR] ?? 200);
      const caller = CALLERS[item.service];
      for (const [end, ms] of item.points) {
        const traceId = this.id(32);
        const client = caller === undefined ? undefined : this.id(16);
        const common = {
          traceId,
          traceState: 'ot=th:0',
          ...(status >= 500 ? { status: { code: STATUS_CODE_ERROR } } : {}),
        };
        spansOf(item.service).push({
          ...common,
          spanId: this.id(16),
          ...(client ? { parentSpanId: client } : {}),
          name: `GET ${route}`,
          kind: SPAN_KIND_SERVER,
          startTimeUnixNano: nanosOf(end - ms),
          endTimeUnixNano: nanosOf(end),
          attributes: toKeyValues({ [ROUTE_ATTR]: route, [STATUS_ATTR]: status, 'http.request.method': 'GET' }),
        });
        if (caller === undefined || client === undefined) continue;
        spansOf(caller).push({
          ...common,
          spanId: client,
          name: 'GET',
          kind: SPAN_KIND_CLIENT,
          startTimeUnixNano: nanosOf(end - ms - NETWORK_MS),
          endTimeUnixNano: nanosOf(end + NETWORK_MS),
          attributes: toKeyValues({ 'peer.service': item.service, [STATUS_ATTR]: status }),
        });
      }
    }
    return {
      resourceSpans: [...byService].map(([service, spans]) => ({
        resource: { attributes: toKeyValues({ 'service.name': service }) },
        scopeSpans: [{ scope: SCOPE, spans }],
      })),
    };
  }

  /** The next id as `digits` hex digits (never all zeros, which OTLP reads as no id). */
  private id(digits: number): string {
    return (++this.next).toString(16).padStart(digits, '0');
  }
}

/** Epoch ms with a fraction as OTLP nanoseconds, exact to the ns (ms * 1e6 would pass 2^53). */
export function nanosOf(ms: number): string {
  const whole = Math.floor(ms);
  return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6))).toString();
}
