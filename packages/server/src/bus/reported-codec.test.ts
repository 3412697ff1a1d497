import { describe, expect, it } from 'vitest';
import { decodeReported, encodeReported } from './reported-codec.ts';

describe('reported-until messages between instances', () => {
  it('arrive as sent', () => {
    const reported = new Map([
      ['ledger', { interval: 60_000, until: 1_800_000_480_000 }],
      ['shop', { interval: 30_000, until: 1_800_000_450_000, first: true }],
    ]);
    expect(decodeReported(encodeReported('a:1', reported))).toEqual({ from: 'a:1', reported });
  });

  it.each([
    ['not JSON', '{'],
    ['no sender', JSON.stringify({ services: [] })],
    ['a negative interval', JSON.stringify({ from: 'a', services: [['s', { interval: -1, until: 0 }]] })],
    ['an empty service name', JSON.stringify({ from: 'a', services: [['', { interval: 1000, until: 0 }]] })],
    ['a string until', JSON.stringify({ from: 'a', services: [['s', { interval: 1000, until: '9' }]] })],
  ])('are refused when they carry %s', (_, text) => {
    expect(decodeReported(text)).toBeInstanceOf(Error);
  });
});
