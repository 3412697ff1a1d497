import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from './config-options.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The configured keys, kept as SHA-256 digests. A presented key is hashed and compared with every digest
 * in constant time: equal-length digests make `timingSafeEqual` usable, and comparing all of them (no early
 * return) keeps the time from telling which key, or how much of one, matched.
 */
export class KeyRing {
  private readonly entries: { key: ApiKey; digest: Buffer }[];

  constructor(keys: readonly ApiKey[]) {
    this.entries = keys.map((key) => ({ key, digest: digest(key.secret) }));
  }

  /** Keys are configured, so every route but the public ones needs one. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  match(presented: string): ApiKey | null {
    const candidate = digest(presented);
    let found: ApiKey | null = null;
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, candidate)) found = entry.key;
    return found;
  }
}
