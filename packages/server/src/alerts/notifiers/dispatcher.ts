import { RefusedDestination } from './destination.ts';
import type { PostJson } from './post.ts';

/** What became of one message to one receiver; counted in /metrics. */
export type Outcome = 'delivered' | 'failed' | 'refused' | 'dropped';

export interface DispatcherOptions {
  /** Sends one message (`postJson` with the destination policy in the server; stand-ins in tests). */
  post: PostJson;
  /** Attempts after the first. */
  retries: number;
  /** Wait before retry n (0-based): backoffMs * 2^n. */
  backoffMs: number;
  /** Messages in flight at once, over every receiver. */
  maxInFlight: number;
  /** Messages in flight at once to one receiver (scheme, host and port). */
  maxPerTarget: number;
  /** Messages of one queue (one rule) waiting, in flight or between retries, past which its new ones are dropped. */
  maxQueuedPerKey: number;
  /** The same over every queue: the bound on memory whatever the number of rules. */
  maxQueued: number;
  onOutcome: (outcome: Outcome, url: string, detail: string) => void;
}

interface Job {
  key: string;
  url: string;
  /** Scheme, host and port: what `maxPerTarget` counts by. */
  target: string;
  body: string;
  /** Lower goes first (the rule's severity); queues of one priority take turns. */
  priority: number;
  attempt: number;
}

/**
 * Sends JSON bodies in the background: `send` returns at once, so evaluation never waits for a receiver.
 * Each queue (a rule) has its own bound, and queues take turns for the send slots (more severe rules first),
 * so a rule whose twenty receivers never answer fills only its own queue and holds at most its share of the
 * slots: another rule's message goes out at the next free slot (a more severe one) or within a round.
 * Per-receiver concurrency keeps one slow host from taking every slot.
 */
export class Dispatcher {
  /** Jobs ready to send, per queue; the Map's order is the turn order. */
  private readonly ready = new Map<string, Job[]>();
  /** Per queue: jobs not finished (ready, in flight, or waiting to retry). */
  private readonly held = new Map<string, number>();
  private heldTotal = 0;
  private readonly perTarget = new Map<string, number>();
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly abort = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private pumpScheduled = false;

  constructor(private readonly options: DispatcherOptions) {}

  /** Queues `body` for `url` in queue `key` (the rule's id); a lower `priority` is sent first. */
  send(key: string, url: string, body: string, priority = 0): void {
    if (this.abort.signal.aborted) return;
    const held = this.held.get(key) ?? 0;
    const { maxQueuedPerKey, maxQueued } = this.options;
    if (held >= maxQueuedPerKey || this.heldTotal >= maxQueued) {
      const full = held >= maxQueuedPerKey ? `this rule's ${held} messages` : `${this.heldTotal} messages in all`;
      this.options.onOutcome('dropped', url, `dropped: ${full} are already waiting`);
      return;
    }
    this.held.set(key, held + 1);
    this.heldTotal++;
    this.enqueue({ key, url, target: targetOf(url), body, priority, attempt: 0 });
  }

  /** Resolves when everything sent so far has been delivered or given up on (tests, shutdown). */
  idle(): Promise<void> {
    if (this.heldTotal === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels requests in flight and forgets waiting ones. */
  async close(): Promise<void> {
    this.abort.abort();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.ready.clear();
    await Promise.allSettled([...this.running]);
    this.held.clear();
    this.heldTotal = 0;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private enqueue(job: Job): void {
    const jobs = this.ready.get(job.key);
    if (jobs) jobs.push(job);
    else this.ready.set(job.key, [job]);
    // After the caller's other sends: one evaluation's messages are all queued before slots are handed out.
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.abort.signal.aborted) return;
    while (this.inFlight < this.options.maxInFlight) {
      const job = this.next();
      if (!job) return;
      this.start(job);
    }
  }

  /**
   * The sendable job of highest priority, from the first queue in turn among those that have one; that
   * queue then goes to the back of the line.
   */
  private next(): Job | undefined {
    let best: { key: string; jobs: Job[]; index: number } | null = null;
    for (const [key, jobs] of this.ready) {
      const index = jobs.findIndex((j) => (this.perTarget.get(j.target) ?? 0) < this.options.maxPerTarget);
      if (index < 0) continue;
      if (!best || jobs[index]!.priority < best.jobs[best.index]!.priority) best = { key, jobs, index };
      if (best.jobs[best.index]!.priority === 0) break;
    }
    if (!best) return undefined;
    const [job] = best.jobs.splice(best.index, 1);
    this.ready.delete(best.key);
    if (best.jobs.length > 0) this.ready.set(best.key, best.jobs);
    return job;
  }

  private start(job: Job): void {
    this.inFlight++;
    this.perTarget.set(job.target, (this.perTarget.get(job.target) ?? 0) + 1);
    const run = this.attempt(job).finally(() => {
      this.running.delete(run);
      this.inFlight--;
      const busy = (this.perTarget.get(job.target) ?? 1) - 1;
      if (busy > 0) this.perTarget.set(job.target, busy);
      else this.perTarget.delete(job.target);
      this.pump();
    });
    this.running.add(run);
  }

  private async attempt(job: Job): Promise<void> {
    let error: string;
    try {
      const status = await this.options.post(job.url, job.body, this.abort.signal);
      if (status >= 200 && status < 300) return this.finish(job, 'delivered', `HTTP ${status}`);
      error = `HTTP ${status}`;
      if (status >= 300 && status < 400) return this.finish(job, 'failed', `${error}: redirects are not followed`);
      // A 4xx other than 408/429 will not get better by retrying.
      if (status < 500 && status !== 408 && status !== 429) return this.finish(job, 'failed', error);
    } catch (thrown) {
      if (this.abort.signal.aborted) return;
      if (thrown instanceof RefusedDestination) return this.finish(job, 'refused', `refused: ${thrown.message}`);
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    if (job.attempt >= this.options.retries) return this.finish(job, 'failed', error);
    const timer = setTimeout(
      () => {
        this.retryTimers.delete(timer);
        this.enqueue(job);
      },
      this.options.backoffMs * 2 ** job.attempt,
    );
    this.retryTimers.add(timer);
    job.attempt++;
  }

  private finish(job: Job, outcome: Outcome, detail: string): void {
    if (this.abort.signal.aborted) return;
    const held = (this.held.get(job.key) ?? 1) - 1;
    if (held > 0) this.held.set(job.key, held);
    else this.held.delete(job.key);
    this.heldTotal--;
    this.options.onOutcome(outcome, job.url, detail);
    if (this.heldTotal === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

/** Scheme, host and port of a URL; the URL itself when it does not parse (it then fails on its own). */
function targetOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
