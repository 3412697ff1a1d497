import { describe, expect, it } from 'vitest';
import { decodeCommitNews, encodeCommitNews } from './reported-codec.ts';

describe("a commit's news between instances", () => {
  it('arrives as sent', () => {
    const reported = new Map([
      ['ledger', { interval: 60_000, until: 1_800_000_480_000 }],
      ['shop', { interval: 30_000, until: 1_800_000_450_000, first: true }],
      [
        'pods',
        {
          interval: 60_000,
          until: 1_800_000_470_000,
          instances: new Map([
            ['pod-0', 1_800_000_430_000],
            ['pod-1', 1_800_000_470_000],
          ]),
        },
      ],
    ]);
    const seen = new Map<string, { first: number; last: number; lag?: number }>([
      ['cart', { first: 1_800_000_445_025, last: 1_800_000_449_975, lag: 5_300 }],
      ['native', { first: 1_800_000_449_000, last: 1_800_000_449_500 }],
    ]);
    expect(decodeCommitNews(encodeCommitNews('a:1', { reported, seen }))).toEqual({
      from: 'a:1',
      news: { reported, seen },
    });
  });

  it('is read from an instance of an earlier version, which sends reports only', () => {
    const text = JSON.stringify({
      from: 'old',
      services: [['ledger', { interval: 60_000, until: 1_800_000_480_000 }]],
    });
    expect(decodeCommitNews(text)).toEqual({
      from: 'old',
      news: { reported: new Map([['ledger', { interval: 60_000, until: 1_800_000_480_000 }]]), seen: new Map() },
    });
  });

  it.each([
    ['not JSON', '{'],
    ['no sender', JSON.stringify({ services: [] })],
    ['a negative interval', JSON.stringify({ from: 'a', services: [['s', { interval: -1, until: 0 }]] })],
    ['an empty service name', JSON.stringify({ from: 'a', services: [['', { interval: 1000, until: 0 }]] })],
    ['a string until', JSON.stringify({ from: 'a', services: [['s', { interval: 1000, until: '9' }]] })],
    [
      "an instance's end that is not a number",
      JSON.stringify({ from: 'a', services: [['s', { interval: 1000, until: 0, instances: [['pod-0', '9']] }]] }),
    ],
    ['a seen time that is not a number', JSON.stringify({ from: 'a', services: [], seen: [['s', 1, null]] })],
  ])('are refused when they carry %s', (_, text) => {
    expect(decodeCommitNews(text)).toBeInstanceOf(Error);
  });
});
