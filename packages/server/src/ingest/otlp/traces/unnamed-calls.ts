import { RecentMap } from './recent-map.ts';

/** CLIENT and PRODUCER spans remembered; at ~100 bytes an entry, a few MiB per decode worker at most. */
export const UNNAMED_CALLS = 32_768;

/**
 * CLIENT and PRODUCER spans of earlier exports that named no called service (no `peer.service` or
 * `server.address`), by span id, with the caller's service: when the SERVER or CONSUMER span they are the
 * parent of arrives in a later export (each SDK exports its own service's spans, so a call's two spans
 * usually travel apart), that span counts the call. Only these spans are kept: a CLIENT span that named
 * its callee was counted already, and remembering every span to find every parent (an uninstrumented
 * client's, say) cost more CPU than the rest of a trace export's work. A SERVER span that arrives before
 * its unnamed parent is not linked.
 *
 * Bounded: at least the newest `max` / 2 and at most `max` spans, so a link is found when the SERVER span
 * arrives within the next `max` / 2 unnamed calls. Lookups change nothing, so an export that is refused
 * and sent again links the same way the second time. Each decode worker has its own: with several workers,
 * a call is linked only when one worker folds both exports.
 */
export class UnnamedCalls {
  private readonly calls: RecentMap<string>;

  constructor(max = UNNAMED_CALLS) {
    this.calls = new RecentMap(max);
  }

  /** The caller's service of the unnamed CLIENT or PRODUCER span `spanId`, if remembered. */
  callerOf(spanId: string): string | undefined {
    return this.calls.get(spanId);
  }

  remember(spanId: string, caller: string): void {
    this.calls.set(spanId, caller);
  }
}
