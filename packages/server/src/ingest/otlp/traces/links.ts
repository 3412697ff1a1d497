import { PEER_SERVICE_ATTR } from '@pulseboard/shared';
import { serviceName } from '../convert.ts';
import { type DecodedSpan, SPAN_KIND, type TraceExport } from './model.ts';

/** Attributes naming the other side of a CLIENT or PRODUCER span, best first (semantic conventions). */
const PEER_ATTRIBUTES = [PEER_SERVICE_ATTR, 'server.address', 'net.peer.name'];

export const isCaller = (kind: number) => kind === SPAN_KIND.client || kind === SPAN_KIND.producer;
export const isCallee = (kind: number) => kind === SPAN_KIND.server || kind === SPAN_KIND.consumer;

/**
 * Who calls whom, from the spans of one export. A CLIENT or PRODUCER span is a call; the called service is
 * the service of its SERVER or CONSUMER child when the export holds it (a Collector batches several
 * services), else what the span's attributes name (`peer.service`, `server.address`). A SERVER or CONSUMER
 * span whose parent is another service's span of any other kind is a call too, from an uninstrumented
 * client. Spans of one export only: linking across exports would need a cache of recent span ids.
 */
export class SpanLinks {
  /** Span id -> its service and kind; empty when the export holds a single service (no links to find). */
  private readonly byId = new Map<string, { service: string; kind: number }>();
  /** Parent span id -> the service of a SERVER or CONSUMER child of it. */
  private readonly calleeByParent = new Map<string, string>();

  constructor(trace: TraceExport) {
    const services = trace.resources.map((resource) => serviceName(resource.attributes));
    if (new Set(services).size < 2) return;
    trace.resources.forEach((resource, i) => {
      const service = services[i]!;
      for (const span of resource.spans) {
        if (span.spanId !== '') this.byId.set(span.spanId, { service, kind: span.kind });
        if (span.parentSpanId !== '' && isCallee(span.kind)) this.calleeByParent.set(span.parentSpanId, service);
      }
    });
  }

  /** The service a CLIENT or PRODUCER span called, or null when nothing names it. */
  calleeOf(span: DecodedSpan): string | null {
    const child = span.spanId === '' ? undefined : this.calleeByParent.get(span.spanId);
    if (child !== undefined) return child;
    for (const key of PEER_ATTRIBUTES) {
      const value = span.attributes[key];
      if (value !== undefined && value !== '') return String(value);
    }
    return null;
  }

  /** For a SERVER or CONSUMER span: the other service that called it without a CLIENT span of its own. */
  uninstrumentedCallerOf(span: DecodedSpan, service: string): string | null {
    const parent = span.parentSpanId === '' ? undefined : this.byId.get(span.parentSpanId);
    if (!parent || parent.service === service || isCaller(parent.kind)) return null;
    return parent.service;
  }
}
