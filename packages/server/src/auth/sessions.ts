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

/** Ids are looked up by their hash, so a lookup's timing says nothing about the ids that exist. */
const idDigest = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Page sessions in memory: a random 256-bit id in the cookie, the role and expiry here. Logging out really
 * ends a session (unlike a signed token); a restart ends them all, and the page asks for the key again.
 */
export class SessionTable {
  private readonly sessions = new Map<string, Principal & { expiresAt: number }>();

  constructor(private readonly options: SessionOptions = DEFAULT_SESSIONS) {}

  open(principal: Principal, now: number): { id: string; maxAgeSeconds: number } {
    if (this.sessions.size >= this.options.maxSessions) this.dropExpired(now);
    if (this.sessions.size >= this.options.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    const id = randomBytes(32).toString('base64url');
    this.sessions.set(idDigest(id), { ...principal, expiresAt: now + this.options.ttlMs });
    return { id, maxAgeSeconds: Math.floor(this.options.ttlMs / 1000) };
  }

  get(id: string, now: number): Principal | null {
    const digest = idDigest(id);
    const session = this.sessions.get(digest);
    if (!session) return null;
    if (session.expiresAt <= now) {
      this.sessions.delete(digest);
      return null;
    }
    return { role: session.role, label: session.label };
  }

  close(id: string): void {
    this.sessions.delete(idDigest(id));
  }

  get size(): number {
    return this.sessions.size;
  }

  private dropExpired(now: number): void {
    for (const [digest, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(digest);
  }
}
