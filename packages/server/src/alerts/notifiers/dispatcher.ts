export interface DispatcherOptions {
  /** Injected so tests can count attempts; `globalThis.fetch` in the server. */
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Wait before retry n (0-based): backoffMs * 2^n. */
  backoffMs: number;
  /** Sends in flight or waiting past which new ones are dropped (a dead receiver must not grow memory). */
  maxQueued: number;
  onFailure: (url: string, error: string) => void;
}

/**
 * Sends JSON bodies in the background with a timeout per attempt and retries with exponential backoff.
 * `send` returns at once: evaluation never waits for a receiver.
 */
export class Dispatcher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly options: DispatcherOptions) {}

  send(url: string, body: unknown): void {
    if (this.abort.signal.aborted) return;
    if (this.inFlight.size >= this.options.maxQueued) {
      this.options.onFailure(url, `dropped: ${this.inFlight.size} notifications already waiting`);
      return;
    }
    const job = this.deliver(url, JSON.stringify(body)).finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  /** Resolves when everything sent so far has been delivered or given up on (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retries and cancels requests in flight. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.idle();
  }

  private async deliver(url: string, body: string): Promise<void> {
    const { retries, backoffMs, timeoutMs } = this.options;
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && !(await this.wait(backoffMs * 2 ** (attempt - 1)))) return;
      try {
        const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]);
        const response = await this.options.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal,
        });
        // Drain the body so the connection is reused.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        lastError = `HTTP ${response.status}`;
        // A 4xx other than 408/429 will not get better by retrying.
        if (response.status < 500 && response.status !== 408 && response.status !== 429) break;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    this.options.onFailure(url, lastError);
  }

  /** False when the dispatcher closed while waiting. */
  private wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve(false);
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
