/** The trace benches' workload: protobuf exports of 100 spans, as bench/traces.ts describes them. */
import { toKeyValues } from '../packages/demo/src/otlp/model.ts';
import { encodeTraceRequest } from '../packages/demo/src/otlp/trace-protobuf.ts';
import {
  nanosOf,
  SPAN_KIND_CLIENT,
  SPAN_KIND_SERVER,
  type Span,
  STATUS_CODE_ERROR,
} from '../packages/demo/src/otlp/traces.ts';

export const SPANS_PER_EXPORT = 100;
const SERVICES = ['gateway', 'orders', 'payments', 'inventory', 'auth'];
/** The exports in turn cover this long, ending at `end`. */
export const SPREAD_MS = 10 * 60_000;

/** Exports of SPANS_PER_EXPORT spans each, round the services; returns the bodies and SERVER spans per prefix. */
export function buildExports(count: number, end: number, prefix: string): { bodies: Buffer[]; requests: number } {
  let state = 42;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
  let id = 0;
  const hex = (digits: number) => (++id).toString(16).padStart(digits, '0');
  const bodies: Buffer[] = [];
  let requests = 0;
  for (let e = 0; e < count; e++) {
    const service = `${prefix}${SERVICES[e % SERVICES.length]}`;
    const peer = `${prefix}${SERVICES[(e + 1) % SERVICES.length]}`;
    const spans: Span[] = [];
    for (let i = 0; i < SPANS_PER_EXPORT / 2; i++) {
      // An SDK exports every few seconds: an export's spans ended within a second or so of each other.
      const at = end - SPREAD_MS + (e / count) * SPREAD_MS + random() * 1000;
      const ms = Math.exp(random() * 5 - 1);
      const route = `/route/${Math.floor(random() * 10)}`;
      const status = random() < 0.02 ? 500 : 200;
      const traceId = hex(32);
      const server = hex(16);
      const common = {
        traceId,
        traceState: 'ot=th:0',
        ...(status >= 500 ? { status: { code: STATUS_CODE_ERROR } } : {}),
      };
      spans.push({
        ...common,
        spanId: server,
        name: `GET ${route}`,
        kind: SPAN_KIND_SERVER,
        startTimeUnixNano: nanosOf(at - ms),
        endTimeUnixNano: nanosOf(at),
        attributes: toKeyValues({
          'http.route': route,
          'http.response.status_code': status,
          'http.request.method': 'GET',
          'url.path': route,
          'server.address': 'localhost',
          'user_agent.original': 'bench/1.0',
        }),
      });
      spans.push({
        ...common,
        spanId: hex(16),
        parentSpanId: server,
        name: 'POST',
        kind: SPAN_KIND_CLIENT,
        startTimeUnixNano: nanosOf(at - ms * 0.8),
        endTimeUnixNano: nanosOf(at - ms * 0.1),
        attributes: toKeyValues({ 'peer.service': peer, 'server.address': peer, 'http.request.method': 'POST' }),
      });
      requests++;
    }
    const request = {
      resourceSpans: [
        {
          resource: { attributes: toKeyValues({ 'service.name': service }) },
          scopeSpans: [{ scope: { name: 'bench', version: '1' }, spans }],
        },
      ],
    };
    bodies.push(Buffer.from(encodeTraceRequest(request)));
  }
  return { bodies, requests };
}
