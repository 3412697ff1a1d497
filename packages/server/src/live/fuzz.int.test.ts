import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectAlive, FUZZ_SEED } from '../testing/fuzz.ts';
import { startTestApp } from '../testing/test-app.ts';
import { BAD_MESSAGES } from './hub.ts';

// Property-based fuzz of the live socket protocol (issue 11): whatever a client sends, the server answers
// with hello, frames or coded errors, or closes with a documented code; other clients keep their frames.
const DOCUMENTED_CLOSES = [1008, 1009, 1013];
const MAX_MESSAGE = 64 * 1024;

const name = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('*', '', 'checkout'));
const message = fc.oneof(
  { arbitrary: fc.string({ maxLength: 200 }), weight: 4 },
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'), weight: 4 },
  {
    arbitrary: fc
      .record({
        type: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe'), fc.jsonValue()),
        services: fc.oneof(fc.array(name, { maxLength: 50 }), fc.jsonValue()),
      })
      .map((m) => JSON.stringify(m)),
    weight: 8,
  },
  { arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)), weight: 2 },
  // Just past the message size limit: ws closes with 1009.
  { arbitrary: fc.constant(JSON.stringify({ type: 'subscribe', services: ['x'.repeat(MAX_MESSAGE)] })), weight: 1 },
);
// A mix of messages, or one repeated past the bad-message budget (15 a minute, then 1008) or the message budget.
const session = fc.oneof(
  fc.array(message, { minLength: 1, maxLength: 40 }),
  message.map((m) => Array.from({ length: 35 }, () => m)),
);

describe('GET /api/v1/live under fuzz', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>['app'];
  let url: string;
  beforeAll(async () => {
    ({ app } = await startTestApp());
    url = `${(await app.listen({ port: 0, host: '127.0.0.1' })).replace('http', 'ws')}/api/v1/live`;
  });
  afterAll(() => app.close());

  it('answers random messages with errors or a documented close, and keeps serving another client', async () => {
    const watcher = await open(url);
    watcher.socket.send(JSON.stringify({ type: 'subscribe', services: ['*'] }));
    const framesBefore = watcher.received.filter((m) => m.type === 'frame').length;
    await fc.assert(
      fc.asyncProperty(session, async (messages) => {
        const client = await open(url);
        for (const m of messages) if (client.socket.readyState === WebSocket.OPEN) client.socket.send(m);
        // Let the server answer what it was sent, then check every answer and the close code if any.
        await new Promise((resolve) => setTimeout(resolve, 50));
        // Error replies are bounded per socket (issue 11: unbounded replies once exhausted the memory).
        expect(client.received.filter((m) => m.type === 'error').length).toBeLessThanOrEqual(BAD_MESSAGES.answered);
        for (const m of client.received) {
          expect(['hello', 'frame', 'error']).toContain(m.type);
          if (m.type === 'error') expect(m).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        }
        if (client.closeCode !== undefined) expect(DOCUMENTED_CLOSES).toContain(client.closeCode);
        client.socket.terminate();
      }),
      { seed: FUZZ_SEED, numRuns: 60, endOnFailure: true },
    );
    // The watcher kept getting its frame a second while the others misbehaved.
    await watcher.until(() => watcher.received.filter((m) => m.type === 'frame').length > framesBefore + 1);
    expect(watcher.closeCode).toBeUndefined();
    watcher.socket.close();
    await expectAlive(app);
  });
});

// biome-ignore lint/suspicious/noExplicitAny: test helper reads any server message
type Message = Record<string, any>;

async function open(url: string) {
  const socket = new WebSocket(url);
  const state: { received: Message[]; closeCode?: number } = { received: [] };
  socket.on('message', (data) => state.received.push(JSON.parse(data.toString())));
  socket.on('close', (code) => {
    state.closeCode = code;
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const until = async (done: () => boolean, timeoutMs = 8000) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    socket,
    until,
    get received() {
      return state.received;
    },
    get closeCode() {
      return state.closeCode;
    },
  };
}
