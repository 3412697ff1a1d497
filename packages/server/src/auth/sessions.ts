import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '@pulseboard/shared';

/** Who a request acts as: the role and label of the key it sent or logged in with. */
export interface Principal {
  role: Role;
  label: string | null;
}

export interface SessionOptions {
  ttlMs: number;
  /** Sessions kept at once; past it the oldest is dropped (its page logs in again). */
  maxSessions: number;
}

export const DEFAULT_SESSIONS: SessionOptions = { ttlMs: 12 * 3_600_000, maxSessions: 10_000 };

/**
 * Sessions are known by their id's hash only, here and in Redis: a lookup's timing says nothing about the ids
 * that exist, and whoever reads Redis cannot use what they find there as a cookie.
 */
export const sessionDigest = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Where the instances of a cluster share their sessions (Redis, bus/redis-sessions.ts). Its methods never
 * reject: while the store is unreachable a session opened here works here only, and a lookup finds nothing.
 */
export interface SharedSessions {
  /** Resolves once the session is stored, so the very next request may reach any instance. */
  save(digest: string, principal: Principal, ttlMs: number): Promise<void>;
  /** The session and its remaining lifetime; null when unknown, expired, malformed or unreachable. */
  load(digest: string): Promise<{ principal: Principal; ttlMs: number } | null>;
  /** Ends the session on every instance (the others hear of it through `onEnded`). */
  end(digest: string): Promise<void>;
  onEnded(listener: (digest: string) => void): void;
}

/**
 * Page sessions in memory, by digest: a random 256-bit id in the cookie, the role and expiry here. Logging
 * out really ends a session (unlike a signed token). Alone, a restart ends them all and the page asks for the
 * key again; in a cluster this is the instance's cache of the shared sessions.
 */
export class SessionTable {
  private readonly sessions = new Map<string, Principal & { expiresAt: number }>();
  /** Sessions per key (role and label), so a full table drops one of the key that holds the most. */
  private readonly perKey = new Map<string, number>();

  constructor(private readonly options: SessionOptions = DEFAULT_SESSIONS) {}

  get ttlMs(): number {
    return this.options.ttlMs;
  }

  open(principal: Principal, now: number): { id: string; digest: string; maxAgeSeconds: number } {
    const id = randomBytes(32).toString('base64url');
    const digest = sessionDigest(id);
    this.keep(digest, principal, now + this.options.ttlMs, now);
    return { id, digest, maxAgeSeconds: Math.floor(this.options.ttlMs / 1000) };
  }

  /** A session opened elsewhere and found in the shared store, kept here until it expires or ends. */
  keep(digest: string, principal: Principal, expiresAt: number, now: number): void {
    this.close(digest);
    if (this.sessions.size >= this.options.maxSessions) this.dropExpired(now);
    // Full: the oldest session of the key with the most goes. Dropping the oldest of all, a read key's holder
    // logging in 10,000 times logged every admin out.
    if (this.sessions.size >= this.options.maxSessions) this.dropOldestOf(this.busiestKey());
    this.sessions.set(digest, { role: principal.role, label: principal.label, expiresAt });
    const key = keyOf(principal);
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
  }

  get(digest: string, now: number): Principal | null {
    const session = this.sessions.get(digest);
    if (!session) return null;
    if (session.expiresAt <= now) {
      this.sessions.delete(digest);
      return null;
    }
    return { role: session.role, label: session.label };
  }

  close(digest: string): void {
    const session = this.sessions.get(digest);
    if (!session) return;
    this.sessions.delete(digest);
    const key = keyOf(session);
    const left = this.perKey.get(key)! - 1;
    if (left > 0) this.perKey.set(key, left);
    else this.perKey.delete(key);
  }

  get size(): number {
    return this.sessions.size;
  }

  private dropExpired(now: number): void {
    for (const [digest, session] of this.sessions) if (session.expiresAt <= now) this.close(digest);
  }

  private busiestKey(): string | null {
    let busiest: string | null = null;
    for (const [key, n] of this.perKey) if (busiest === null || n > this.perKey.get(busiest)!) busiest = key;
    return busiest;
  }

  private dropOldestOf(key: string | null): void {
    for (const [digest, session] of this.sessions) {
      if (keyOf(session) === key) {
        this.close(digest);
        return;
      }
    }
  }
}

const keyOf = (principal: Principal): string => `${principal.role}\u0000${principal.label ?? ''}`;
