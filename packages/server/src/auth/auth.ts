import type { Role } from '@pulseboard/shared';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { ApiKey } from './config-options.ts';
import { KeyRing } from './keyring.ts';
import { type Closable, SessionSockets } from './session-sockets.ts';
import { type Principal, type SessionOptions, SessionTable, type SharedSessions, sessionDigest } from './sessions.ts';
import { FailureThrottle, type ThrottleOptions } from './throttle.ts';

export interface AuthOptions {
  keys: readonly ApiKey[];
  now: () => number;
  metrics: Pick<Metrics, 'authFailures' | 'authThrottled'>;
  throttle?: ThrottleOptions;
  sessions?: SessionOptions;
  /** With `--redis`: the sessions of every instance of the cluster (the table here is then its cache). */
  shared?: SharedSessions | null;
}

const CHALLENGE = { 'www-authenticate': 'Bearer' };

export const unauthorized = (message: string) => new AppError('PULSE_ERR_UNAUTHORIZED', message, CHALLENGE);
export const forbidden = (message: string) => new AppError('PULSE_ERR_FORBIDDEN', message);

/** What a role may not do, in words for a 403. */
export function roleRefusal(role: Role, needed: Role): string {
  const a = (r: Role) => (r === 'read' ? `a ${r}` : `an ${r}`);
  const need = needed === 'admin' ? 'an admin key' : `${a(needed)} or admin key`;
  const who = a(role);
  return `${who.charAt(0).toUpperCase()}${who.slice(1)} key cannot do this: it needs ${need}`;
}

/**
 * Keys, page sessions and the bad-key throttle: turns what a request presents (a Bearer key, a session
 * cookie, a login) into a Principal, or into the 401 / 429 it deserves.
 */
export class Auth {
  readonly keyring: KeyRing;
  private readonly sessions: SessionTable;
  private readonly liveSockets = new SessionSockets();
  private readonly throttle: FailureThrottle;
  /**
   * Lookups in the shared store in flight, by digest: one per session at a time, marked when the session
   * ends meanwhile so the answer is not kept.
   */
  private readonly loading = new Map<string, { ended: boolean; found: Promise<Principal | null> }>();

  constructor(private readonly options: AuthOptions) {
    this.keyring = new KeyRing(options.keys);
    this.sessions = new SessionTable(options.sessions);
    this.throttle = new FailureThrottle(options.throttle);
    options.shared?.onEnded((digest) => this.dropSession(digest));
  }

  get enabled(): boolean {
    return this.keyring.enabled;
  }

  /** 429 while `address` is blocked for sending bad keys. */
  checkNotBlocked(address: string): void {
    const seconds = this.throttle.retryAfter(address, this.options.now());
    if (seconds === 0) return;
    this.options.metrics.authThrottled.inc();
    throw new AppError('PULSE_ERR_RATE_LIMITED', `too many invalid keys from ${address}; retry in ${seconds} s`, {
      'retry-after': String(seconds),
    });
  }

  /** The key in an `Authorization` header, checked (and counted against the address when wrong). */
  fromAuthorization(header: string, address: string): Principal {
    this.checkNotBlocked(address);
    const match = /^Bearer +(\S+)$/i.exec(header.trim());
    if (!match) throw unauthorized('Authorization: must be "Bearer KEY"');
    return this.check(match[1]!, address, 'Authorization: the key is not valid');
  }

  /** The session's principal: from this instance's table, else (in a cluster) from the shared store. */
  async fromSession(id: string): Promise<Principal | null> {
    const digest = sessionDigest(id);
    const cached = this.sessions.get(digest, this.options.now());
    const { shared } = this.options;
    if (cached || !shared) return cached;
    let lookup = this.loading.get(digest);
    if (!lookup) {
      const entry = { ended: false, found: Promise.resolve<Principal | null>(null) };
      entry.found = this.adopt(digest, shared, entry).finally(() => this.loading.delete(digest));
      this.loading.set(digest, entry);
      lookup = entry;
    }
    return lookup.found;
  }

  /** A live socket opened with session `id`: it is closed when the session ends, here or elsewhere. */
  trackLive(id: string, socket: Closable): void {
    this.liveSockets.add(sessionDigest(id), socket);
  }

  /** Log out: the session and its live sockets end, on every instance of a cluster. */
  async endSession(id: string): Promise<void> {
    const digest = sessionDigest(id);
    this.dropSession(digest);
    await this.options.shared?.end(digest);
  }

  /** Closes the live sockets of sessions that expired (called once a minute). */
  sweepLive(): void {
    const now = this.options.now();
    this.liveSockets.sweep((digest) => this.sessions.get(digest, now) !== null);
  }

  /** A key typed into the page's login: a read or admin key opens a session. */
  async login(key: string, address: string): Promise<{ principal: Principal; id: string; maxAgeSeconds: number }> {
    this.checkNotBlocked(address);
    const principal = this.check(key, address, 'key: not a valid key');
    if (principal.role === 'ingest') throw forbidden('key: an ingest key cannot open the dashboard; use a read key');
    const { id, digest, maxAgeSeconds } = this.sessions.open(principal, this.options.now());
    await this.options.shared?.save(digest, principal, this.sessions.ttlMs);
    return { principal, id, maxAgeSeconds };
  }

  /** A session opened on another instance: kept here from now on, unless it ended while being looked up. */
  private async adopt(digest: string, shared: SharedSessions, lookup: { ended: boolean }): Promise<Principal | null> {
    const found = await shared.load(digest);
    if (!found || lookup.ended) return null;
    const now = this.options.now();
    this.sessions.keep(digest, found.principal, now + found.ttlMs, now);
    return found.principal;
  }

  /** The session ended (here, or on another instance): forget it and close its live sockets. */
  private dropSession(digest: string): void {
    const pending = this.loading.get(digest);
    if (pending) pending.ended = true;
    this.sessions.close(digest);
    this.liveSockets.end(digest);
  }

  private check(presented: string, address: string, message: string): Principal {
    const key = this.keyring.match(presented);
    if (key) return { role: key.role, label: key.label };
    this.options.metrics.authFailures.inc();
    this.throttle.fail(address, this.options.now());
    throw unauthorized(message);
  }
}
