import { PEER_SERVICE_ATTR } from '@pulseboard/shared';
import { serviceName } from '../convert.ts';
import { type DecodedSpan, SPAN_KIND, type TraceExport } from './model.ts';
import type { ServedAddresses } from './served-addresses.ts';
import type { UnnamedCalls } from './unnamed-calls.ts';

/** What a decode worker remembers of earlier exports to link calls across them; none: this export's only. */
export interface CallMemory {
  unnamed?: UnnamedCalls;
  served?: ServedAddresses;
}

/** Attributes naming the other side of a CLIENT or PRODUCER span by its address, best first (semantic conventions). */
const ADDRESS_ATTRIBUTES = ['server.address', 'net.peer.name'];

export const isCaller = (kind: number) => kind === SPAN_KIND.client || kind === SPAN_KIND.producer;
export const isCallee = (kind: number) => kind === SPAN_KIND.server || kind === SPAN_KIND.consumer;

/**
 * Who calls whom. A CLIENT or PRODUCER span is a call; the called service is the service of its SERVER or
 * CONSUMER child when the export holds it (a Collector batches several services), else its `peer.service`,
 * else the service seen answering at its `server.address` and `server.port` (`served`), else that address.
 * A SERVER or CONSUMER span is a call too when its
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
    private readonly memory: CallMemory = {},
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
    const named = namedPeer(span, this.memory.served);
    if (named === null && span.spanId !== '') this.memory.unnamed?.remember(span.spanId, service);
    return named;
  }

  /** For a SERVER or CONSUMER span of `service`: notes the address it answered at (see ServedAddresses). */
  noteServed(span: DecodedSpan, service: string): void {
    this.memory.served?.note(span, service);
  }

  /** For a SERVER or CONSUMER span of `service`: another service that called it, when no other span counts the call. */
  uninstrumentedCallerOf(span: DecodedSpan, service: string): string | null {
    if (span.parentSpanId === '') return null;
    const parent = this.byId.get(span.parentSpanId);
    if (parent) return parent.service === service || isCaller(parent.kind) ? null : parent.service;
    const caller = this.memory.unnamed?.callerOf(span.parentSpanId);
    return caller === undefined || caller === service ? null : caller;
  }
}

/** What a CLIENT or PRODUCER span's attributes name as the other side, or null. */
function namedPeer(span: DecodedSpan, served: ServedAddresses | undefined): string | null {
  const peer = span.attributes[PEER_SERVICE_ATTR];
  if (peer !== undefined && peer !== '') return String(peer);
  const answering = served?.serviceAt(span);
  if (answering) return answering;
  for (const key of ADDRESS_ATTRIBUTES) {
    const value = span.attributes[key];
    if (value !== undefined && value !== '') return String(value);
  }
  return null;
}
