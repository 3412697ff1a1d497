import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Ingest requests from their arrival (headers read) to their answer, which comes after their data has
 * committed. A second's frame waits for the requests that arrived before it closed (`settledBefore`, bounded
 * by the caller), so what a client sent just before the boundary is in that frame, and a frame with nothing
 * in flight goes out at once instead of after a fixed grace.
 */
export class IngestArrivals {
  private readonly arrivedAt = new Map<FastifyRequest, number>();
  private readonly waiting = new Set<{ before: number; resolve: () => void }>();

  constructor(private readonly now: () => number) {}

  get inFlight(): number {
    return this.arrivedAt.size;
  }

  /**
   * Counts a route's requests from arrival to answer or to the client going away. The response's `close`
   * comes in every case, also where Fastify's hooks do not run (a connection that dies while the answer is
   * being written), so no request stays counted and holds every later frame to its wait's end.
   */
  track(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      this.arrivedAt.set(request, this.now());
      reply.raw.once('close', () => this.end(request));
    });
    const end = async (request: FastifyRequest) => this.end(request);
    app.addHook('onResponse', end);
    app.addHook('onRequestAbort', end);
  }

  /** Resolves once no request that arrived before `t` is still in flight (at once if none is). */
  settledBefore(t: number): Promise<void> {
    if (!this.anyBefore(t)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.add({ before: t, resolve }));
  }

  private end(request: FastifyRequest): void {
    if (!this.arrivedAt.delete(request)) return;
    for (const waiter of this.waiting) {
      if (this.anyBefore(waiter.before)) continue;
      this.waiting.delete(waiter);
      waiter.resolve();
    }
  }

  /** Requests in flight are few (bodies are bounded by `--max-inflight-bytes`): a scan is enough. */
  private anyBefore(t: number): boolean {
    for (const at of this.arrivedAt.values()) if (at < t) return true;
    return false;
  }
}
