import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from '../../metrics.ts';
import type { DestinationPolicy } from './destination.ts';
import { Dispatcher, type Outcome } from './dispatcher.ts';
import { postJson } from './post.ts';

/** One attempt at a notification, from connecting to the last byte read of the answer. */
const DEADLINE_MS = 5_000;
/** What is read of a receiver's answer; nothing in it is used. */
const MAX_RESPONSE_BYTES = 4096;
/** Dropped messages are counted in /metrics, and logged at most this often. */
const DROP_LOG_EVERY_MS = 60_000;

export interface ServerDispatcherOptions {
  policy: DestinationPolicy;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** Retry backoff base (tests shorten it). */
  backoffMs: number;
}

/** The server's dispatcher: real sends under the destination policy, outcomes counted and logged. */
export function serverDispatcher({ policy, metrics, log, backoffMs }: ServerDispatcherOptions): Dispatcher {
  let lastDropLog = Number.NEGATIVE_INFINITY;
  let dropsSinceLog = 0;
  const onOutcome = (outcome: Outcome, url: string, detail: string) => {
    metrics.notifications.inc({ outcome });
    if (outcome === 'delivered') return;
    if (outcome === 'dropped') {
      // A flood of drops is one line a minute: the count is in /metrics.
      dropsSinceLog++;
      if (Date.now() - lastDropLog < DROP_LOG_EVERY_MS) return;
      lastDropLog = Date.now();
      log.warn({ url: redact(url), error: detail, dropped: dropsSinceLog }, 'alert notifications dropped');
      dropsSinceLog = 0;
      return;
    }
    log.warn({ url: redact(url), error: detail }, 'alert notification not delivered');
  };
  return new Dispatcher({
    post: (url, body, signal) =>
      postJson(url, body, { policy, deadlineMs: DEADLINE_MS, maxResponseBytes: MAX_RESPONSE_BYTES, signal }),
    retries: 3,
    backoffMs,
    // 60 rules x 20 receivers that never answer hold at most these slots for a deadline each; a more
    // severe rule takes the next free one, and one receiver never has more than 4.
    maxInFlight: 32,
    maxPerTarget: 4,
    // 20 targets (the most a rule has) x 5 changes waiting.
    maxQueuedPerKey: 100,
    maxQueued: 10_000,
    onOutcome,
  });
}

/** Webhook URLs often carry a secret in the path (Slack's do): log the host only. */
function redact(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid url';
  }
}
