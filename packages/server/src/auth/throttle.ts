export interface ThrottleOptions {
  /** Bad keys from one address within `windowMs` that block it. */
  maxFailures: number;
  windowMs: number;
  /** How long a blocked address gets 429 on every route that needs a key. */
  blockMs: number;
  /** Addresses tracked at once; past it the longest-tracked is forgotten, so memory stays bounded. */
  maxAddresses: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  maxFailures: 10,
  windowMs: 60_000,
  blockMs: 60_000,
  maxAddresses: 10_000,
};

interface Entry {
  failures: number;
  windowStart: number;
  blockedUntil: number;
}

/**
 * Counts bad keys per client address and blocks an address that sends too many, so keys cannot be guessed
 * at request speed. Pure: the caller passes the time.
 */
export class FailureThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Seconds until `address` may try again; 0 when it is not blocked. */
  retryAfter(address: string, now: number): number {
    const entry = this.entries.get(address);
    if (!entry || entry.blockedUntil <= now) return 0;
    return Math.ceil((entry.blockedUntil - now) / 1000);
  }

  /** Records a bad key; returns true when this one blocked the address. */
  fail(address: string, now: number): boolean {
    let entry = this.entries.get(address);
    if (!entry || now - entry.windowStart >= this.options.windowMs) {
      this.entries.delete(address);
      entry = { failures: 0, windowStart: now, blockedUntil: 0 };
      if (this.entries.size >= this.options.maxAddresses) this.forgetOldest();
      // Re-inserted, so Map order is the order of each address's latest window: oldest first.
      this.entries.set(address, entry);
    }
    entry.failures++;
    if (entry.failures < this.options.maxFailures) return false;
    entry.blockedUntil = now + this.options.blockMs;
    // A new window starts when the block ends, with a fresh count.
    entry.windowStart = entry.blockedUntil;
    entry.failures = 0;
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  private forgetOldest(): void {
    const oldest = this.entries.keys().next();
    if (!oldest.done) this.entries.delete(oldest.value);
  }
}
