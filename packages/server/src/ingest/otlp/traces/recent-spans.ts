/** Spans remembered per kind of link; at ~100 bytes an entry, a few MiB per decode worker at most. */
export const RECENT_SPANS = 32_768;

/** A CLIENT or PRODUCER span of an earlier export. */
export interface RecentCaller {
  service: string;
  /** Whether it counted as a call already (its attributes named the called service). */
  counted: boolean;
}

/**
 * What earlier exports said about spans whose other end had not arrived, so that a call between two
 * services is found when its two spans arrive in different exports (each SDK exports its own service's
 * spans, so this is the usual case): a CLIENT or PRODUCER span, by its id, and the service of a SERVER or
 * CONSUMER span, by its parent's id. Bounded: each map forgets its oldest entry past `max`, so a link is
 * found when the second export arrives within the last `max` such spans (at 100,000 spans/s, about a
 * third of a second; SDKs export every few seconds, so at high rates most of these links are missed, and
 * the call is counted from the CLIENT span's attributes alone, as before). Entries are never changed by a
 * lookup: an export that is refused and sent again finds the same links the second time.
 */
export class RecentSpans {
  private readonly callers = new Map<string, RecentCaller>();
  private readonly callees = new Map<string, string>();

  constructor(private readonly max = RECENT_SPANS) {}

  caller(spanId: string): RecentCaller | undefined {
    return this.callers.get(spanId);
  }

  /** The service of a SERVER or CONSUMER span of an earlier export whose parent is `spanId`. */
  calleeOf(spanId: string): string | undefined {
    return this.callees.get(spanId);
  }

  rememberCaller(spanId: string, caller: RecentCaller): void {
    remember(this.callers, spanId, caller, this.max);
  }

  rememberCallee(parentSpanId: string, service: string): void {
    remember(this.callees, parentSpanId, service, this.max);
  }
}

/** Sets `key` in `map` (as its newest entry), dropping the oldest entry past `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
