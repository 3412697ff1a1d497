import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecondFrame } from '../bus/bus.ts';
import { defaultConfig } from '../config.ts';
import { closeCore, closeSecond, createCore } from '../core.ts';
import { decodeNativeBatch } from '../ingest/native/decode.ts';
import { nativeIngestPlugin } from '../ingest/native/plugin.ts';

/** The second under test; the clock starts just after it closed. */
const T = 1_800_000_000_000;
/** A wait cap far past anything the test waits for: reaching it would time the test out. */
const LONG = { waitUntil: T + 1000 + 60_000 };

describe("closeSecond: what a second's frame holds", () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('waits for an ingest request that arrived before the frame was built, and the frame holds its data', async () => {
    const { core, clock, frames, port } = await setup();
    const body = batch('checkout', T + 900);
    const request = await openRequest(port, body.length);
    const closeApp = close;
    close = async () => {
      request.socket.destroy();
      await closeApp();
    };
    request.socket.write(body.subarray(0, 10));
    await waitFor(() => core.arrivals.inFlight === 1);
    clock.now = T + 1002;

    const closing = closeSecond(core, T, LONG);
    // The request is still being sent: the frame must not go out without it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(frames()).toHaveLength(0);

    request.socket.write(body.subarray(10));
    await closing;
    expect(await request.status).toBe(202);
    expect(frames()).toHaveLength(1);
    expect(frames()[0]!.services.checkout).toMatchObject({ rate: 1 });
  });

  it('builds the frame at once when nothing is in flight, with what in-process producers hand over as it closes', async () => {
    const { core, clock, frames } = await setup();
    clock.now = T + 1002;
    core.secondClosing.add((t) => {
      const items = [
        { service: 'demo', name: 'http.server.request.duration', type: 'histogram', value: 5, timestamp: t },
      ];
      void core.aggregator.submit(decodeNativeBatch({ metrics: items }, core.now(), core.limits));
    });

    await closeSecond(core, T, LONG);
    expect(frames()).toHaveLength(1);
    expect(frames()[0]!.services.demo).toMatchObject({ rate: 1 });
  });

  it("shows data that arrived after its second's frame went out in the next frame, not never", async () => {
    // A sender posting each second once it closes (the demo CLI), or an SDK's span batch, lands after the
    // frame: such a service's frames were empty, and its charts froze.
    const { core, clock, port } = await setup();
    const published: SecondFrame[] = [];
    core.bus.subscribe('frame', (frame) => published.push(frame));
    clock.now = T + 1002;
    await closeSecond(core, T, LONG);
    expect(published.at(-1)!.services).toEqual({});
    const late = await fetch(`http://127.0.0.1:${port}/api/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: batch('checkout', T + 500),
    });
    expect(late.status).toBe(202);
    clock.now = T + 2002;
    await closeSecond(core, T + 1000, LONG);
    expect(published.at(-1)).toMatchObject({ t: T + 1000, services: { checkout: { rate: 1, interval: 1000 } } });
  });

  /** The core with only native ingest in front of it: no live plugin, so no ticker closes seconds meanwhile. */
  async function setup() {
    const clock = { now: T + 1001 };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-test-'));
    const config = Object.freeze({ ...defaultConfig(), db: path.join(dir, 'test.db'), demo: false });
    const app = Fastify();
    const core = await createCore(config, () => clock.now, app.log);
    await app.register(nativeIngestPlugin, { core });
    close = async () => {
      await app.close();
      await closeCore(core);
    };
    await app.listen({ port: 0, host: '127.0.0.1' });
    const published: SecondFrame[] = [];
    core.bus.subscribe('frame', (frame) => published.push(frame));
    const frames = () => published.filter((frame) => frame.t === T);
    return { core, clock, frames, port: address(app) };
  }
});

function batch(service: string, timestamp: number): Buffer {
  const item = { service, name: 'http.server.request.duration', type: 'histogram', value: 42, timestamp };
  return Buffer.from(JSON.stringify({ metrics: [item] }));
}

function address(app: FastifyInstance): number {
  const info = app.server.address();
  if (info === null || typeof info === 'string') throw new Error('not listening on a port');
  return info.port;
}

/** A native ingest POST whose headers go at once; the caller writes the body when it likes. */
async function openRequest(port: number, length: number) {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(
    `POST /api/v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`,
  );
  const status = new Promise<number>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Number(text.split(' ')[1])));
  });
  return { socket, status };
}

/** Polls a condition the server reaches on its own (a request's headers read). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
