import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * The request body bytes ingest holds at once, across every request: compressed bytes being read, the
 * inflated body, and that body until its answer is sent (it is decoded meanwhile). Each request reading a
 * body holds a `BodyLease`; past the budget it is refused with 503 instead of being read further, so many
 * parallel large bodies or gzip bombs cannot take memory past it. One request alone is always admitted
 * (the body limit bounds it), so a budget below the body limit cannot lock out a large body for good.
 */
export class ByteBudget {
  private used = 0;
  private readonly leases = new WeakMap<FastifyRequest, BodyLease>();

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Whether `bytes` more would fit now, for a request already holding `own` of what is in use. */
  fits(bytes: number, own = 0): boolean {
    return this.used === own || this.used + bytes <= this.max;
  }

  /** The lease of `request`, opened on first use; released when its answer has gone (see `releaseOnResponse`). */
  leaseFor(request: FastifyRequest): BodyLease {
    let lease = this.leases.get(request);
    if (!lease) this.leases.set(request, (lease = new BodyLease(this)));
    return lease;
  }

  /** Releases each request's lease once it is answered or its client has gone. */
  releaseOnResponse(app: FastifyInstance): void {
    const release = async (request: FastifyRequest) => this.leases.get(request)?.release();
    app.addHook('onResponse', release);
    app.addHook('onRequestAbort', release);
  }

  /** @internal for BodyLease */
  adjust(delta: number): void {
    this.used += delta;
  }
}

/** The bytes one request holds of a `ByteBudget`. */
export class BodyLease {
  private held = 0;

  constructor(private readonly budget: ByteBudget) {}

  /** Takes `bytes` more; false (taking nothing) when that would pass the budget. */
  take(bytes: number): boolean {
    if (!this.budget.fits(bytes, this.held)) return false;
    this.held += bytes;
    this.budget.adjust(bytes);
    return true;
  }

  /** Gives back `bytes` of what this request holds (compressed input it no longer needs). */
  give(bytes: number): void {
    const n = Math.min(bytes, this.held);
    this.held -= n;
    this.budget.adjust(-n);
  }

  release(): void {
    this.give(this.held);
  }
}
