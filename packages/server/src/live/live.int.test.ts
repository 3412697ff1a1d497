import type { LiveFrame } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Config } from '../config.ts';
import { ingest, startTestApp } from '../testing/test-app.ts';
import { BAD_MESSAGES } from './hub.ts';

describe('GET /api/v1/live', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('says hello with a cursor, then streams a frame a second with the subscribed services', async () => {
    const { app, url } = await setup();
    const client = await connect(url);
    const hello = await client.next();
    expect(hello).toMatchObject({ type: 'hello', resolution: 1000 });
    expect(hello.cursor % 1000).toBe(0);
    client.socket.send(JSON.stringify({ type: 'subscribe', services: ['checkout'] }));
    // Keep sending for a few seconds so some closed second holds data whatever the timing.
    const sending = setInterval(() => {
      void ingest(app, [
        {
          service: 'checkout',
          name: 'http.server.request.duration',
          type: 'histogram',
          value: 42,
          attributes: { 'http.response.status_code': 500 },
        },
        { service: 'other', name: 'http.server.request.duration', type: 'histogram', value: 1 },
      ]);
    }, 100);
    try {
      const frame = (await client.until((m) => m.type === 'frame' && 'checkout' in m.services)) as LiveFrame;
      expect(frame.cursor).toBe(frame.t);
      expect(frame.services.checkout).toMatchObject({ errorRate: 1 });
      expect(frame.services.checkout!.p50).toBeCloseTo(42, -1);
      expect(Object.keys(frame.services)).toEqual(['checkout']);
      // The total merges only the subscribed services: the other service's 1 ms requests are not in it.
      expect(frame.total).toMatchObject({ errorRate: 1, rate: frame.services.checkout!.rate });
      expect(frame.total!.p50).toBeCloseTo(42, -1);
    } finally {
      clearInterval(sending);
    }
    client.socket.close();
  });

  it('keeps sending frames every second to one client while another has stopped reading', async () => {
    const { url } = await setup();
    const stalled = await connect(url);
    stalled.socket.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
    // Stop reading from the stalled client's TCP socket: its frames pile up in the server's buffers.
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const healthy = await connect(url);
    healthy.socket.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const frame = await healthy.until((m) => m.type === 'frame');
      times.push(frame.t);
    }
    expect(times[1]! - times[0]!).toBe(1000);
    expect(times[2]! - times[1]!).toBe(1000);
    stalled.socket.terminate();
    healthy.socket.close();
  });

  it('answers a malformed subscription with an error naming the field', async () => {
    const { url } = await setup();
    const client = await connect(url);
    client.socket.send(JSON.stringify({ type: 'subscribe', services: [''] }));
    const error = await client.until((m) => m.type === 'error');
    expect(error.message).toMatch(/^services/);
    client.socket.close();
  });

  it('refuses a subscription past the per-socket limit with an error naming it', async () => {
    const { url } = await setup({ liveMaxSubscriptions: 5 });
    const client = await connect(url);
    const names = Array.from({ length: 6 }, (_, i) => `svc-${i}`);
    client.socket.send(JSON.stringify({ type: 'subscribe', services: names }));
    const error = await client.until((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'PULSE_ERR_LIVE_LIMIT' });
    expect(error.message).toMatch(/^services: a socket may subscribe to at most 5 services/);
    client.socket.close();
  });

  it('closes a socket that floods bad messages with 1008 and keeps serving the others', async () => {
    const { app, url } = await setup();
    const flooder = await connect(url);
    const healthy = await connect(url);
    healthy.socket.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
    const closed = new Promise<number>((resolve) => flooder.socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 1000 && flooder.socket.readyState === WebSocket.OPEN; i++) flooder.socket.send('x');
    expect(await closed).toBe(1008);
    // It was answered only for its first few bad messages.
    expect(flooder.received().filter((m) => m.type === 'error')).toHaveLength(BAD_MESSAGES.answered);
    await healthy.until((m) => m.type === 'frame');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('pulseboard_live_refused_total{reason="bad_messages"} 1');
    healthy.socket.close();
  });

  it('closes a socket past the connection limit with 1013', async () => {
    const { url } = await setup({ liveMaxClients: 1 });
    const first = await connect(url);
    const second = new WebSocket(url);
    const code = await new Promise<number>((resolve) => second.once('close', (c) => resolve(c)));
    expect(code).toBe(1013);
    first.socket.close();
  });

  it('closes a socket past the per-address limit with 1013 naming it, and counts a closed one out', async () => {
    const { url } = await setup({ liveMaxClientsPerAddress: 2 });
    const first = await connect(url);
    const second = await connect(url);
    const third = new WebSocket(url);
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      third.once('close', (c, r) => resolve([c, r.toString()])),
    );
    expect(code).toBe(1013);
    expect(reason).toBe('2 live clients from this address (--live-max-clients-per-address)');
    first.socket.close();
    await new Promise((resolve) => first.socket.once('close', resolve));
    // The server hears the close a moment later.
    await expect
      .poll(async () => {
        const next = new WebSocket(url);
        const opened = await new Promise<boolean>((resolve) => {
          next.once('message', () => resolve(true));
          next.once('close', () => resolve(false));
        });
        next.close();
        return opened;
      })
      .toBe(true);
    second.socket.close();
  });

  async function setup(overrides: Partial<Config> = {}): Promise<{ app: FastifyInstance; url: string }> {
    const handle = await startTestApp(overrides);
    close = () => handle.app.close();
    const address = await handle.app.listen({ port: 0, host: '127.0.0.1' });
    return { app: handle.app, url: `${address.replace('http', 'ws')}/api/v1/live` };
  }
});

// biome-ignore lint/suspicious/noExplicitAny: test helper reads any server message
type Message = Record<string, any>;

async function connect(url: string) {
  const socket = new WebSocket(url);
  const queue: Message[] = [];
  const all: Message[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    queue.push(message);
    all.push(message);
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const until = async (match: (m: Message) => boolean, timeoutMs = 8000): Promise<Message> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = queue.findIndex(match);
      if (index >= 0) return queue.splice(0, index + 1).at(-1)!;
      if (Date.now() > deadline) throw new Error('no matching message in time');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { socket, until, next: () => until(() => true), received: () => all };
}
