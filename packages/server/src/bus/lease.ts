import type { Redis } from 'ioredis';

export interface LeaseOptions {
  redis: Redis;
  key: string;
  /** Who holds it (an instance id), stored as the key's value. */
  owner: string;
  /** How long a holder that stops renewing keeps the lease: the longest a takeover takes (plus a renewal). */
  ttlMs: number;
  renewEveryMs: number;
  /** The lease was taken or lost (seen at a renewal). */
  onChange?: (held: boolean) => void;
  onError?: (error: unknown) => void;
}

/** Extends the lease only while this owner holds it: a lost lease is never extended by its old holder. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * A lease in Redis: taken with `SET key owner NX PX ttl`, renewed every `renewEveryMs` while held, taken
 * over by another instance once its holder has stopped renewing for `ttlMs` (killed, stalled, cut off).
 * The holder counts the lease as its own only until `ttlMs` after it sent its last successful renewal, by
 * its own monotonic clock: Redis starts the expiry later than that, so the old holder always stops first.
 */
export class RedisLease {
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private reported = false;

  constructor(private readonly options: LeaseOptions) {}

  get held(): boolean {
    return performance.now() < this.validUntil;
  }

  /** Tries to take the lease now and then every `renewEveryMs`; resolves after the first try. */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.renew(), this.options.renewEveryMs);
    this.timer.unref();
    await this.renew();
  }

  /** Stops renewing; `release` gives the lease up at once (a clean shutdown) rather than let it expire. */
  async stop(release: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const wasHeld = this.held;
    this.validUntil = 0;
    this.report();
    if (!release || !wasHeld) return;
    const { redis, key, owner } = this.options;
    await redis.eval(RELEASE, 1, key, owner).catch((error: unknown) => this.options.onError?.(error));
  }

  private async renew(): Promise<void> {
    if (this.busy || !this.timer) return;
    this.busy = true;
    const { redis, key, owner, ttlMs } = this.options;
    const sentAt = performance.now();
    try {
      const ok = this.held
        ? (await redis.eval(RENEW, 1, key, owner, ttlMs)) === 1
        : (await redis.set(key, owner, 'PX', ttlMs, 'NX')) === 'OK';
      // stop() may have run meanwhile: a lease given up is not taken back by a reply that comes after it.
      if (this.timer) this.validUntil = ok ? sentAt + ttlMs : 0;
    } catch (error) {
      // Unreachable Redis: the lease runs out by itself at validUntil, as it does in Redis.
      this.options.onError?.(error);
    } finally {
      this.busy = false;
      this.report();
    }
  }

  private report(): void {
    const held = this.held;
    if (held === this.reported) return;
    this.reported = held;
    this.options.onChange?.(held);
  }
}
