import type { DecodedSpan } from './model.ts';
import { RecentMap } from './recent-map.ts';

/** Addresses remembered per decode worker (a few hundred bytes each at most). */
export const SERVED_ADDRESSES = 4_096;

/** Stands for the service of an address more than one service answers at: none can be named. */
const SHARED = '\u0000shared';

/**
 * Which service answers at an address, learned from SERVER spans' `server.address` and `server.port` (the
 * host and port their clients asked for: the Host header). Each SDK exports its own service's spans, so a
 * CLIENT span that names only the address it called (zero-code HTTP instrumentation writes `server.address`
 * 127.0.0.1 and `server.port` 4001, no `peer.service`) travels apart from the SERVER span it caused; with
 * this it counts as a call to the service seen answering there, not to "127.0.0.1". An address more than
 * one service answers at (a proxy that passes its clients' Host header on) names none, and a call made
 * before the address was first answered keeps the address as its callee.
 *
 * Bounded (RecentMap): an address in use is kept, as each span answered there sets it again. Each decode
 * worker learns its own, from the exports it folds: with several, each learns an address after a few
 * exports of the service behind it.
 */
export class ServedAddresses {
  private readonly services: RecentMap<string>;

  constructor(max = SERVED_ADDRESSES) {
    this.services = new RecentMap(max);
  }

  /** Notes that `service` answered the SERVER or CONSUMER span `span` at the address it names, if any. */
  note(span: DecodedSpan, service: string): void {
    const key = addressKey(span);
    if (key === null) return;
    const known = this.services.get(key);
    this.services.set(key, known === undefined || known === service ? service : SHARED);
  }

  /** The service answering at the address the CLIENT or PRODUCER span `span` called, if exactly one does. */
  serviceAt(span: DecodedSpan): string | null {
    const key = addressKey(span);
    const service = key === null ? undefined : this.services.get(key);
    return service === undefined || service === SHARED ? null : service;
  }
}

/** `server.address` and `server.port` as one key, or null without an address. */
function addressKey(span: DecodedSpan): string | null {
  const address = span.attributes['server.address'];
  if (address === undefined || address === '') return null;
  return `${String(address)}\u0000${String(span.attributes['server.port'] ?? '')}`;
}
