/**
 * Sends pre-built bodies over exactly N keep-alive connections, N workers each taking the next body, the
 * way N exporter threads would. Overload answers (503/429) are honoured with `Retry-After` and resent, so
 * the figure is sustained throughput under back-pressure rather than a count of rejected requests.
 */
import { Agent, request } from 'node:http';

export interface IngestResult {
  observations: number;
  accepted: number;
  bytes: number;
  requests: number;
  retries: number;
  /** First send to last ack. */
  wallMs: number;
  obsPerSec: number;
  mbPerSec: number;
  /** Per-request time from send to 202 (ms), successful attempts only. */
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  /** Bodies whose `accepted` differed from what they carried (should be 0). */
  mismatches: number;
}

interface Reply {
  status: number;
  retryAfter: string | undefined;
  body: string;
}

/** Where bodies go and what counts as accepted: Pulseboard's native route by default. */
export interface IngestTarget {
  path: string;
  contentType: string;
  /** Observations an answer acknowledges (of the `sent` in its body), or null when it is not a success. */
  accepted(status: number, body: string, sent: number): number | null;
}

export const NATIVE_TARGET: IngestTarget = {
  path: '/api/v1/metrics',
  contentType: 'application/json',
  accepted: (status, body) => {
    if (status !== 202) return null;
    const n = (JSON.parse(body) as { accepted?: unknown }).accepted;
    return typeof n === 'number' ? n : 0;
  },
};

function post(agent: Agent, url: URL, target: IngestTarget, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: target.path,
        method: 'POST',
        headers: { 'content-type': target.contentType, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

export async function ingest(
  baseUrl: string,
  bodies: Buffer[],
  bodyCounts: number[],
  connections: number,
  target: IngestTarget = NATIVE_TARGET,
): Promise<IngestResult> {
  const url = new URL(baseUrl);
  // maxSockets = N caps the pool at exactly N connections; keepAlive reuses them for every body.
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let accepted = 0;
  let retries = 0;
  let requests = 0;
  let mismatches = 0;
  const ackMs: number[] = [];

  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const body = bodies[i]!;
      for (let attempt = 0; ; attempt++) {
        const sent = performance.now();
        const reply = await post(agent, url, target, body);
        requests++;
        const count = target.accepted(reply.status, reply.body, bodyCounts[i]!);
        if (count !== null) {
          ackMs.push(performance.now() - sent);
          if (count !== bodyCounts[i]) mismatches++;
          accepted += count;
          break;
        }
        if (reply.status === 503 || reply.status === 429) {
          retries++;
          if (attempt > 1_000) throw new Error(`body ${i}: still ${reply.status} after ${attempt} retries`);
          const seconds = Number(reply.retryAfter);
          await sleep(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 100);
          continue;
        }
        // Anything else is a bug on one side or the other; stop rather than report a meaningless rate.
        throw new Error(`body ${i}: HTTP ${reply.status}: ${reply.body.slice(0, 500)}`);
      }
    }
  };

  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - t0;

  const observations = bodyCounts.reduce((a, b) => a + b, 0);
  const bytes = bodies.reduce((a, b) => a + b.length, 0);
  ackMs.sort((a, b) => a - b);
  return {
    observations,
    accepted,
    bytes,
    requests,
    retries,
    wallMs,
    obsPerSec: accepted / (wallMs / 1000),
    mbPerSec: bytes / 1e6 / (wallMs / 1000),
    ackP50Ms: quantile(ackMs, 0.5),
    ackP99Ms: quantile(ackMs, 0.99),
    ackMaxMs: ackMs.at(-1) ?? 0,
    mismatches,
  };
}
