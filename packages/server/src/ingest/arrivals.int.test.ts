import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestArrivals } from './arrivals.ts';

describe('IngestArrivals', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('settles a wait once the requests that arrived before its time are answered, not later arrivals', async () => {
    const { arrivals, clock, port, answer } = await setup();
    const early = post(port);
    await waitFor(() => arrivals.inFlight === 1);
    clock.now = 2_000;
    const late = post(port);
    await waitFor(() => arrivals.inFlight === 2);

    let settled = false;
    const waiting = arrivals.settledBefore(1_500).then(() => (settled = true));
    await nextTurn();
    expect(settled).toBe(false);
    answer(0);
    await waiting;
    expect(arrivals.inFlight).toBe(1); // the later request is still in flight, and not waited for
    answer(1);
    await Promise.all([early, late]);
    await waitFor(() => arrivals.inFlight === 0);
  });

  it('stops counting a request whose client went away before its answer', async () => {
    const { arrivals, port } = await setup();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /ingest HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\n12');
    await waitFor(() => arrivals.inFlight === 1);
    socket.destroy();
    await waitFor(() => arrivals.inFlight === 0);
    await arrivals.settledBefore(Number.POSITIVE_INFINITY);
  });

  /** A route whose answers the test gives, in arrival order. */
  async function setup() {
    const clock = { now: 1_000 };
    const arrivals = new IngestArrivals(() => clock.now);
    const app: FastifyInstance = Fastify();
    const pending: (() => void)[] = [];
    arrivals.track(app);
    app.post('/ingest', () => new Promise<string>((resolve) => pending.push(() => resolve('ok'))));
    await app.listen({ port: 0, host: '127.0.0.1' });
    close = () => app.close();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { arrivals, clock, port, answer: (i: number) => pending[i]?.() };
  }
});

function post(port: number): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/ingest`, { method: 'POST', body: 'x', headers: { connection: 'close' } });
}

/** Polls a condition the server reaches on its own (headers read, a socket closed). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
