import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring.ts';

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.push(1)).toBeUndefined();
    ring.push(2);
    ring.push(3);
    expect(ring.push(4)).toBe(1);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect(ring.size).toBe(3);
    expect(ring.at(0)).toBe(2);
    expect(ring.at(-1)).toBe(4);
    expect(ring.at(3)).toBeUndefined();
  });

  it('stays bounded over many pushes', () => {
    const ring = new RingBuffer<number>(5);
    for (let i = 0; i < 10_000; i++) ring.push(i);
    expect(ring.toArray()).toEqual([9995, 9996, 9997, 9998, 9999]);
  });

  it('removes the oldest item on shift and keeps pushing in order after it', () => {
    const ring = new RingBuffer<number>(3);
    for (const i of [1, 2, 3]) ring.push(i);
    expect(ring.shift()).toBe(1);
    ring.push(4);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect(ring.push(5)).toBe(2);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    for (const _ of [1, 2, 3]) ring.shift();
    expect(ring.shift()).toBeUndefined();
    expect(ring.size).toBe(0);
  });

  it('rejects a capacity below one', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
