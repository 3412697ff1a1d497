import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTestApp } from './testing/test-app.ts';

const NOW = 1_800_000_000_000;

describe('shutting down', () => {
  it('answers a request still arriving and closes its keep-alive connection, so the process can exit', async () => {
    const { app } = await startTestApp({}, () => NOW);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true });
    const body = JSON.stringify({
      metrics: [{ service: 'checkout', name: 'queue.depth', type: 'gauge', value: 3, timestamp: NOW - 1000 }],
    });
    // An exporter's last flush: its request has begun when shutdown starts, and ends after.
    const answer = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
      const req = request(
        `${address}/api/v1/metrics`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString('utf8');
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => req.end(body.slice(20)), 200);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = app.close();

    const reply = await answer;
    expect(reply.status, reply.text).toBe(202);
    expect(reply.connection).toBe('close');
    // Without the close, the server would wait out the 65 s keep-alive timeout of the idle connection.
    await closed;
    agent.destroy();
  }, 10_000);
});
