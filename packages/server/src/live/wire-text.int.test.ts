import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { wireText } from './wire-text.ts';

describe('wireText', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it.each([
    ['an empty message', ''],
    ['a short one', '{"type":"hello"}'],
    ['one of exactly 125 bytes', 'x'.repeat(125)],
    ['one with a 16-bit length', `{"s":"${'é'.repeat(500)}"}`],
    ['one at the 16-bit limit', 'y'.repeat(0xffff)],
    ['one with a 64-bit length', 'z'.repeat(70_000)],
  ])('frames %s so a WebSocket client reads the same text', async (_name, text) => {
    expect(await received([text])).toEqual([text]);
  });

  it('frames messages written back to back so a client reads each, in order', async () => {
    expect(await received(['{"t":1}', '{"t":2}', '{"t":3}'])).toEqual(['{"t":1}', '{"t":2}', '{"t":3}']);
  });

  /** Writes each text's frame to the upgraded TCP socket of a real server, and what a `ws` client read. */
  async function received(texts: string[]): Promise<string[]> {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    close = () => new Promise((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => server.once('listening', resolve));
    server.on('connection', (_socket, request) => {
      for (const text of texts) request.socket.write(wireText(text).frame);
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const messages: string[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('message', (data: Buffer, isBinary) => {
        messages.push(isBinary ? '<binary>' : data.toString());
        if (messages.length === texts.length) resolve();
      });
    });
    client.terminate();
    return messages;
  }
});
