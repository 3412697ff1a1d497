import { describe, expect, it } from 'vitest';
import { Utf8Cache } from './utf8-cache.ts';

describe('Utf8Cache', () => {
  it('decodes every byte range as Buffer#toString does, from the cache or not', () => {
    const cache = new Utf8Cache();
    const texts = ['GET /orders/{id}', 'ot=th:c', '', 'zürich ✓ 東京', 'x'.repeat(97), 'POST'];
    const parts = [...texts.map((t) => Buffer.from(t)), Buffer.from([0x61, 0xc3, 0x28, 0xff])];
    const buf = Buffer.concat(parts);
    for (let round = 0; round < 3; round++) {
      let at = 0;
      for (const part of parts) {
        expect(cache.get(buf, at, at + part.length)).toBe(buf.toString('utf8', at, at + part.length));
        at += part.length;
      }
    }
  });

  it('never answers with another string whose bytes share a slot, however many strings it has seen', () => {
    const cache = new Utf8Cache();
    // Far more distinct strings than slots: every slot is taken over many times.
    const wrong: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 20_000; i++) {
        const bytes = Buffer.from(`/route/${i}`);
        const text = cache.get(bytes, 0, bytes.length);
        if (text !== `/route/${i}`) wrong.push(text);
      }
    }
    expect(wrong).toEqual([]);
  });
});
