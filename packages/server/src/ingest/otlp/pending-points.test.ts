import { describe, expect, it } from 'vitest';
import type { SeriesIdentity } from '../../model.ts';
import type { PendingCumulative } from './convert.ts';
import { PendingPoints } from './pending-points.ts';

const identity = (name: string): SeriesIdentity => ({
  service: 'checkout',
  name,
  kind: name === 'requests' ? 'counter' : 'histogram',
  unit: 'ms',
  attributes: { route: '/pay' },
});

const bounds = [5, 10, 25];
const points: PendingCumulative[] = [
  {
    point: 0,
    identity: identity('requests'),
    key: 'k-sum',
    start: 1000,
    time: 2000,
    scale: 1,
    value: { type: 'sum', value: 42.5 },
  },
  {
    point: 3,
    identity: identity('latency'),
    key: 'k-hist',
    start: 1000,
    time: 2000,
    scale: 1000,
    value: { type: 'histogram', count: 7, sum: 61.25, min: 1, max: 30, bounds, counts: [1, 2, 3, 1] },
  },
  {
    point: 4,
    identity: identity('latency'),
    key: 'k-hist',
    start: 1000,
    time: 3000,
    scale: 1000,
    // Unknown sum and extremes stay unknown (null), not zero.
    value: { type: 'histogram', count: 9, sum: null, min: null, max: null, bounds: [...bounds], counts: [1, 3, 4, 1] },
  },
  {
    point: 7,
    identity: identity('size'),
    key: 'k-exp',
    start: 500,
    time: 2500,
    scale: 1,
    value: {
      type: 'exponential',
      count: 12,
      sum: -3.5,
      min: -8,
      max: 4,
      scale: 3,
      zeroCount: 2,
      positive: { offset: -2, counts: [1, 0, 4] },
      negative: { offset: 5, counts: [3, 2] },
    },
  },
];

describe('PendingPoints', () => {
  it('gives back every kind of cumulative point as it was packed, nulls included', () => {
    const packed = new PendingPoints(points);
    expect(packed.length).toBe(4);
    for (const [i, p] of points.entries()) expect(packed.at(i)).toEqual(p);
    expect(packed.at(4)).toBeUndefined();
    expect(packed.at(-1)).toBeUndefined();
  });

  it('keeps one identity per series and one copy of equal bounds held by the same array', () => {
    const packed = new PendingPoints(points);
    expect(packed.at(1)!.identity).toBe(packed.at(2)!.identity);
    expect(packed.at(1)!.identity).toBe(points[1]!.identity);
    const first = packed.at(1)!.value;
    expect(first.type === 'histogram' && first.bounds).toBe(bounds);
  });
});
