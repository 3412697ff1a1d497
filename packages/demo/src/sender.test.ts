import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCli } from './cli.ts';
import { retryAfterMs, Sender } from './sender.ts';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const item = (value: number) => ({ service: 's', name: 'm', type: 'gauge' as const, value, timestamp: 1 });

describe('Sender', () => {
  it('posts native batches with the key and resends after 503 + Retry-After', async () => {
    const seen: Array<{ auth?: string; type?: string; path?: string; values: number[] }> = [];
    let calls = 0;
    const target = await serve((req, body, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(503, { 'retry-after': '0' }).end('{"code":"PULSE_ERR_OVERLOADED","message":"busy"}');
        return;
      }
      const parsed = JSON.parse(body) as { metrics: Array<{ value: number }> };
      seen.push({
        auth: req.headers.authorization,
        type: req.headers['content-type'],
        path: req.url,
        values: parsed.metrics.map((m) => m.value),
      });
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ accepted: parsed.metrics.length }));
    });
    const sender = new Sender({ target: `${target}/`, key: 'k1', log: () => {} });
    sender.enqueue([item(1), item(2)]);
    const running = sender.run();
    await waitFor(() => sender.stats.observations === 2);
    sender.enqueue([item(3)]);
    await waitFor(() => sender.stats.observations === 3);
    sender.stop();
    await running;
    expect(seen).toEqual([
      { auth: 'Bearer k1', type: 'application/json', path: '/api/v1/metrics', values: [1, 2] },
      { auth: 'Bearer k1', type: 'application/json', path: '/api/v1/metrics', values: [3] },
    ]);
    expect(sender.stats).toEqual({ posts: 3, failures: 1, observations: 3, rejectedPoints: 0, dropped: 0 });
  });

  it('drops a batch the server rejects with a 4xx and carries on', async () => {
    let calls = 0;
    const target = await serve((_req, _body, res) => {
      calls++;
      if (calls === 1) res.writeHead(400).end('{"code":"PULSE_ERR_VALIDATION","message":"metrics[0].name"}');
      else res.writeHead(202).end('{"accepted":1}');
    });
    const lines: string[] = [];
    const sender = new Sender({ target, maxSecondsPerPost: 1, log: (line) => lines.push(line) });
    sender.enqueue([item(1)]);
    sender.enqueue([item(2)]);
    const running = sender.run();
    await waitFor(() => calls >= 2 && sender.queued === 0);
    sender.stop();
    await running;
    expect(sender.stats.dropped).toBe(1);
    expect(sender.stats.observations).toBe(1);
    expect(lines.join('\n')).toContain('400');
  });

  it('retries after a network error and stops promptly while backing off', async () => {
    const sender = new Sender({ target: 'http://127.0.0.1:9', log: () => {} });
    sender.enqueue([item(1)]);
    const running = sender.run();
    await waitFor(() => sender.stats.failures >= 1);
    const stoppedAt = Date.now();
    sender.stop();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(1000);
    expect(sender.queued).toBe(1);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBeNull();
    expect(retryAfterMs('soon')).toBeNull();
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(retryAfterMs('100000')).toBe(60_000);
  });
});

describe('parseCli', () => {
  it('accepts the documented flags', () => {
    expect(
      parseCli(['--target', 'http://localhost:3000/', '--seed', '7', '--day-length', '10m', '--key', 'k']),
    ).toEqual({
      target: 'http://localhost:3000',
      format: 'native',
      seed: 7,
      dayLengthMs: 600_000,
      key: 'k',
    });
    expect(parseCli(['--target', 'https://pulse.example'])).toMatchObject({ seed: 1, dayLengthMs: 86_400_000 });
    expect(parseCli(['--help'])).toBe('help');
    expect(parseCli(['--target', 'http://x', '--format', 'otlp-protobuf'])).toMatchObject({ format: 'otlp-protobuf' });
  });

  it('names the bad flag', () => {
    expect(() => parseCli([])).toThrow(/--target/);
    expect(() => parseCli(['--target', 'localhost:3000'])).toThrow(/--target/);
    expect(() => parseCli(['--target', 'http://x', '--seed', 'abc'])).toThrow(/--seed/);
    expect(() => parseCli(['--target', 'http://x', '--day-length', '10x'])).toThrow(/--day-length/);
    expect(() => parseCli(['--target', 'http://x', '--day-length', '10s'])).toThrow(/--day-length/);
    expect(() => parseCli(['--target', 'http://x', '--key', ''])).toThrow(/--key/);
    expect(() => parseCli(['--target', 'http://x', '--nope'])).toThrow(/nope/);
    expect(() => parseCli(['--target', 'http://x', '--format', 'otlp'])).toThrow(/--format/);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
