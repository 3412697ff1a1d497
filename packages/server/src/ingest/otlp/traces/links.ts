import { PEER_SERVICE_ATTR } from '@pulseboard/shared';
import { serviceName } from '../convert.ts';
import { type DecodedSpan, SPAN_KIND, type TraceExport } from './model.ts';
import type { UnnamedCalls } from './unnamed-calls.ts';

/** Attributes naming the other side of a CLIENT or PRODUCER span, best first (semantic conventions). */
const PEER_ATTRIBUTES = [PEER_SERVICE_ATTR, 'server.address', 'net.peer.name'];

export const isCaller = (kind: number) => kind === SPAN_KIND.client || kind === SPAN_KIND.producer;
export const isCallee = (kind: number) => kind === SPAN_KIND.server || kind === SPAN_KIND.consumer;

/**
 * Who calls whom. A CLIENT or PRODUCER span is a call; the called service is the service of its SERVER or
 * CONSUMER child when the export holds it (a Collector batches several services), else what the span's
 * attributes name (`peer.service`, `server.address`). A SERVER or CONSUMER span is a call too when its
 * parent is another service's span that does not count as one: a span of any other kind in the same
 * export (an uninstrumented client), or a CLIENT or PRODUCER span of an earlier export that named no
 * callee (`unnamed`, see UnnamedCalls). Each call counts once.
 */
export class SpanLinks {
  /** Span id -> its service and kind; empty when the export holds a single service. */
  private readonly byId = new Map<string, { service: string; kind: number }>();
  /** Parent span id -> the service of a SERVER or CONSUMER child of it. */
  private readonly calleeByParent = new Map<string, string>();

  constructor(
    trace: TraceExport,
    private readonly unnamed?: UnnamedCalls,
  ) {
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

  /** The service a CLIENT or PRODUCER span of `service` called, or null when nothing names it. */
  calleeOf(span: DecodedSpan, service: string): string | null {
    const child = span.spanId === '' ? undefined : this.calleeByParent.get(span.spanId);
    if (child !== undefined) return child;
    const named = namedPeer(span);
    if (named === null && span.spanId !== '') this.unnamed?.remember(span.spanId, service);
    return named;
  }

  /** For a SERVER or CONSUMER span of `service`: another service that called it, when no other span counts the call. */
  uninstrumentedCallerOf(span: DecodedSpan, service: string): string | null {
    if (span.parentSpanId === '') return null;
    const parent = this.byId.get(span.parentSpanId);
    if (parent) return parent.service === service || isCaller(parent.kind) ? null : parent.service;
    const caller = this.unnamed?.callerOf(span.parentSpanId);
    return caller === undefined || caller === service ? null : caller;
  }
}

/** What a CLIENT or PRODUCER span's attributes name as the other side, or null. */
function namedPeer(span: DecodedSpan): string | null {
  for (const key of PEER_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value !== undefined && value !== '') return String(value);
  }
  return null;
}
