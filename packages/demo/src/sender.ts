/**
 * Delivers generated seconds to a Pulseboard server in order, one POST at a time. A second that cannot be
 * delivered yet stays queued (the server may be restarting), so a short outage shows up as late data rather
 * than a hole; the queue is bounded so a long outage cannot grow memory without limit.
 */

import type { NativeItem } from '@pulseboard/shared';
import { type Encoding, encodingFor } from './encodings.ts';

export { countObservations } from './encodings.ts';

export interface SenderOptions {
  /** Server base URL, e.g. `http://localhost:3000`. */
  target: string;
  key?: string;
  /** Wire format and endpoint; native JSON to /api/v1/metrics by default. */
  encoding?: Encoding;
  /** Seconds kept while the server is unreachable; older ones are dropped first. */
  maxQueuedSeconds?: number;
  /** Queued seconds merged into one POST when catching up. */
  maxSecondsPerPost?: number;
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface SenderStats {
  /** POSTs attempted, POSTs that failed (any reason, retried or not), observations the server accepted. */
  posts: number;
  failures: number;
  observations: number;
  /** OTLP data points the server refused in a 200 answer (partialSuccess.rejectedDataPoints). */
  rejectedPoints: number;
  /** Seconds given up on: rejected with a 4xx, or dropped from a full queue. */
  dropped: number;
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;
/** Other 5xx answers may be a bug triggered by this very batch, so they get a few tries, not forever. */
const MAX_SERVER_ERROR_ATTEMPTS = 5;

export class Sender {
  readonly stats: SenderStats = { posts: 0, failures: 0, observations: 0, rejectedPoints: 0, dropped: 0 };
  private readonly queue: NativeItem[][] = [];
  private readonly url: string;
  private readonly encoding: Encoding;
  private readonly headers: Record<string, string>;
  private readonly maxQueued: number;
  private readonly maxPerPost: number;
  private readonly timeoutMs: number;
  private readonly log: (line: string) => void;
  /** Aborted by `stop()`: ends waits at once; the POST in flight (`inflight`) is cut off after a grace period. */
  private readonly stopper = new AbortController();
  private inflight: AbortController | null = null;
  private graceTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | null = null;
  private backoffMs = MIN_BACKOFF_MS;
  private serverErrors = 0;

  constructor(options: SenderOptions) {
    this.encoding = options.encoding ?? encodingFor('native');
    this.url = `${options.target.replace(/\/+$/, '')}${this.encoding.path}`;
    this.headers = { 'content-type': this.encoding.contentType };
    if (options.key) this.headers.authorization = `Bearer ${options.key}`;
    this.maxQueued = options.maxQueuedSeconds ?? 300;
    this.maxPerPost = options.maxSecondsPerPost ?? 30;
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.log = options.log ?? ((line) => console.error(line));
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Queues one second's items (an empty second is skipped). */
  enqueue(items: NativeItem[]): void {
    if (items.length === 0) return;
    this.queue.push(items);
    while (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.stats.dropped++;
    }
    this.wake?.();
  }

  /** Sends until `stop()`; resolves once the current POST (if any) has finished or been cut off. */
  async run(): Promise<void> {
    const { signal } = this.stopper;
    while (!signal.aborted) {
      if (this.queue.length === 0) {
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      const batch = this.queue.slice(0, this.maxPerPost);
      const delivered = await this.deliver(batch.flat());
      if (delivered === 'retry') continue;
      // Only now leave the queue, so a failure keeps them for the next attempt. Matched by identity: a full
      // queue may have shed some of them meanwhile.
      const sent = new Set(batch);
      while (this.queue.length > 0 && sent.has(this.queue[0]!)) this.queue.shift();
      if (delivered === 'rejected') this.stats.dropped += batch.length;
    }
    clearTimeout(this.graceTimer);
  }

  /** Stops sending; a POST in flight gets `graceMs` to finish. */
  stop(graceMs = 2_000): void {
    this.graceTimer = setTimeout(() => this.inflight?.abort(), graceMs);
    this.graceTimer.unref();
    this.stopper.abort();
  }

  /** One POST; waits as the server asks or backs off after a failure before returning 'retry'. */
  private async deliver(items: NativeItem[]): Promise<'ok' | 'retry' | 'rejected'> {
    this.stats.posts++;
    let response: Response;
    // A controller per POST rather than AbortSignal.any: combined signals on a long-lived one have leaked.
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
    this.inflight = controller;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: this.headers,
        body: this.encoding.encode(items),
        signal: controller.signal,
      });
    } catch (error) {
      clearTimeout(timeout);
      this.inflight = null;
      this.stats.failures++;
      if (this.stopper.signal.aborted) return 'retry';
      this.log(`demo: POST ${this.url} failed (${describe(error)}); retrying in ${this.backoffMs} ms`);
      await this.pause(this.backoffMs);
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      return 'retry';
    }
    const body = new Uint8Array(await response.arrayBuffer().catch(() => new ArrayBuffer(0)));
    clearTimeout(timeout);
    this.inflight = null;
    if (response.ok) {
      this.backoffMs = MIN_BACKOFF_MS;
      this.serverErrors = 0;
      const outcome = this.encoding.outcome(body, items);
      this.stats.observations += outcome.observations;
      if (outcome.rejectedPoints > 0) {
        this.stats.rejectedPoints += outcome.rejectedPoints;
        this.log(`demo: server refused ${outcome.rejectedPoints} data points: ${outcome.message ?? 'no reason given'}`);
      }
      return 'ok';
    }
    // Error bodies are JSON or a protobuf google.rpc.Status whose message is readable text either way.
    const text = new TextDecoder().decode(body);
    this.stats.failures++;
    if (response.status === 429 || response.status === 503) {
      const waitMs = retryAfterMs(response.headers.get('retry-after')) ?? this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      this.log(`demo: server answered ${response.status}; resending in ${waitMs} ms`);
      await this.pause(waitMs);
      return 'retry';
    }
    if (response.status >= 500 && ++this.serverErrors < MAX_SERVER_ERROR_ATTEMPTS) {
      this.log(`demo: server answered ${response.status} ${text.slice(0, 200)}; retrying in ${this.backoffMs} ms`);
      await this.pause(this.backoffMs);
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      return 'retry';
    }
    // A 4xx (or a persistent 5xx) will not change on resending: report it and move on.
    this.serverErrors = 0;
    this.log(`demo: server rejected a batch with ${response.status} ${text.slice(0, 300)}`);
    return 'rejected';
  }

  /** Waits `ms` (forever if infinite) or until new items arrive or `stop()`; never leaves a listener behind. */
  private sleep(ms: number): Promise<void> {
    const { signal } = this.stopper;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      signal.addEventListener('abort', done);
      this.wake = done;
    });
  }

  /** A pause the server asked for or a backoff: new items must not cut it short, only `stop()` may. */
  private async pause(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.stopper.signal.aborted && Date.now() < deadline) await this.sleep(deadline - Date.now());
  }
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms (capped), or null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - now));
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
