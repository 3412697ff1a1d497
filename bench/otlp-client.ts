/** The OTLP/HTTP client of the OTLP benchmarks (metrics and traces), and how they print rates. */
import { Agent, request } from 'node:http';

function post(agent: Agent, url: URL, path: string, body: Buffer) {
  return new Promise<{ status: number; retryAfter: number; body: Buffer }>((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Number(res.headers['retry-after'] ?? 0),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Posts every protobuf body to `path` over `connections` keep-alive connections, retrying after 503/429 as
 * an exporter would; any other answer than an empty success (a partialSuccess means lost data) throws.
 */
export async function sendOtlp(baseUrl: string, path: string, bodies: Buffer[], connections: number) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const ackMs: number[] = [];
  let next = 0;
  let retries = 0;
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      for (;;) {
        const sent = performance.now();
        const reply = await post(agent, url, path, bodies[i]!);
        if (reply.status === 503 || reply.status === 429) {
          retries++;
          await new Promise((r) => setTimeout(r, (reply.retryAfter || 0.1) * 1000));
          continue;
        }
        // 200 with an empty body is full success; anything in it is a partialSuccess, i.e. lost points.
        if (reply.status !== 200 || reply.body.length > 0) {
          throw new Error(`body ${i}: HTTP ${reply.status} ${reply.body.toString('latin1').slice(0, 300)}`);
        }
        ackMs.push(performance.now() - sent);
        break;
      }
    }
  };
  const t0 = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  ackMs.sort((a, b) => a - b);
  const at = (q: number) => ackMs[Math.floor(q * (ackMs.length - 1))] ?? 0;
  return { wallMs: performance.now() - t0, retries, ackP50Ms: at(0.5), ackP99Ms: at(0.99) };
}

/** A rate or count as a whole number with thousands separators. */
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
