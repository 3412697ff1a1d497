import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.ts';
import { startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000;

describe('request bodies held at once, and slow clients', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('answers 503 with Retry-After on both ingest routes while other bodies fill the budget, and serves again after', async () => {
    const { port, app } = await setup({ maxInflightBytes: 100_000 });
    // A client that declared 90,000 bytes and is still sending them holds that much of the budget.
    const body = nativeBody(90_000);
    const slow = await openRequest(port, '/api/v1/metrics', 'application/json', body.length);
    slow.socket.write(body.subarray(0, 1_000));
    await waitFor(() => app.core.bodies.inUse === 90_000);

    const small = nativeBody(20_000);
    const native = await send(port, '/api/v1/metrics', 'application/json', small);
    expect(native.status).toBe(503);
    expect(native.headers['retry-after']).toBe('1');
    expect(JSON.parse(native.body)).toMatchObject({
      code: 'PULSE_ERR_OVERLOADED',
      message: expect.stringContaining('--max-inflight-bytes'),
    });
    const otlp = await send(
      port,
      '/v1/metrics',
      'application/json',
      Buffer.from('{"resourceMetrics":[]}'.padEnd(20_000)),
    );
    expect(otlp.status).toBe(503);
    expect(otlp.headers['retry-after']).toBe('1');
    expect(JSON.parse(otlp.body)).toMatchObject({ code: 14 });

    slow.socket.write(body.subarray(1_000));
    expect((await slow.response).status).toBe(202);
    expect((await send(port, '/api/v1/metrics', 'application/json', small)).status).toBe(202);
    expect(app.core.bodies.inUse).toBe(0);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^pulseboard_limit_refusals_total\{limit="inflight_bytes"\} 2$/m);
  });

  it('cuts off a client that trickles its body with 408, and gives back what it held', async () => {
    const { port, app } = await setup({ requestTimeoutMs: 1_000 });
    const body = nativeBody(5_000);
    const slow = await openRequest(port, '/api/v1/metrics', 'application/json', body.length);
    // One byte at a time, the socket never idle: only a timeout on the whole request can end it.
    let sent = 0;
    const trickle = setInterval(() => {
      if (!slow.socket.destroyed && sent < body.length) slow.socket.write(body.subarray(sent, ++sent));
    }, 50);
    try {
      const response = await slow.response;
      expect(response.status).toBe(408);
      expect(sent).toBeLessThan(body.length);
    } finally {
      clearInterval(trickle);
    }
    await waitFor(() => app.core.bodies.inUse === 0);
    expect((await send(port, '/api/v1/metrics', 'application/json', body)).status).toBe(202);
  });

  async function setup(overrides: Partial<Config>) {
    const handle = await startTestApp(overrides, () => NOW);
    close = () => handle.app.close();
    await handle.app.listen({ port: 0, host: '127.0.0.1' });
    return { ...handle, port: address(handle.app) };
  }
});

/** A valid native batch padded with spaces to exactly `size` bytes. */
function nativeBody(size: number): Buffer {
  const item = { service: 'svc', name: 'queue.depth', type: 'gauge', value: 1, timestamp: NOW };
  return Buffer.from(JSON.stringify({ metrics: [item] }).padEnd(size, ' '));
}

function address(app: FastifyInstance): number {
  const info = app.server.address();
  if (info === null || typeof info === 'string') throw new Error('not listening on a port');
  return info.port;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A POST whose headers are sent at once; the caller writes the body on `socket` when it likes. */
async function openRequest(port: number, path: string, contentType: string, length: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
  );
  const response = new Promise<RawResponse>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(parse(text)));
  });
  return { socket, response };
}

async function send(port: number, path: string, contentType: string, body: Buffer): Promise<RawResponse> {
  const { socket, response } = await openRequest(port, path, contentType, body.length);
  socket.write(body);
  return response;
}

function parse(text: string): RawResponse {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}

/** Polls a condition the server reaches on its own (a body read, a lease given back). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
