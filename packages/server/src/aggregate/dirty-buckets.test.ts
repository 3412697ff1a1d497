import { describe, expect, it } from 'vitest';
import { DirtyBuckets } from './dirty-buckets.ts';

const MINUTE = 2;

describe('DirtyBuckets across instances sharing a store', () => {
  it("takes in the others' marks, marks again and rebuilds, keeping marks made here after the read", () => {
    const dirty = new DirtyBuckets([[MINUTE, 60_000, 1]]);
    // Another instance wrote into minute 2 (a new mark) and again into minute 1 (its count went up).
    dirty.sync(
      [
        [MINUTE, 60_000, 3],
        [MINUTE, 120_000, 1],
      ],
      1_000,
      900,
    );
    const [first, second] = dirty.list(MINUTE, Number.POSITIVE_INFINITY);
    expect(first).toMatchObject({ t: 60_000, stored: 3, last: 1_000 });
    expect(second).toMatchObject({ t: 120_000, stored: 1, first: 1_000 });
    // A read taken again unchanged changes nothing: a rebuild under way may still clear its version.
    dirty.sync(
      [
        [MINUTE, 60_000, 3],
        [MINUTE, 120_000, 1],
      ],
      2_000,
      1_900,
    );
    expect(dirty.clear(MINUTE, 60_000, first!.version)).toBe(true);
    // Minute 2 was rebuilt elsewhere (gone from the store); minute 3 was marked here after that read began.
    dirty.add(MINUTE, 180_000, 2_950);
    dirty.sync([], 3_000, 2_900);
    expect(dirty.list(MINUTE, Number.POSITIVE_INFINITY).map((m) => m.t)).toEqual([180_000]);
  });
});

describe('DirtyBuckets as spans for queries', () => {
  it('joins consecutive dirty buckets, and past `max` spans closes the shortest gaps first', () => {
    const dirty = new DirtyBuckets();
    for (const minute of [1, 2, 3, 5, 20, 40, 41]) dirty.add(MINUTE, minute * 60_000, 0);
    const span = (from: number, to: number) => ({ from: from * 60_000, to: to * 60_000 });
    expect(dirty.spans(MINUTE, 60_000, 16)).toEqual([span(1, 4), span(5, 6), span(20, 21), span(40, 42)]);
    // Gaps of 1, 14 and 19 minutes: the 1 minute one goes first, then the 14 minute one.
    expect(dirty.spans(MINUTE, 60_000, 3)).toEqual([span(1, 6), span(20, 21), span(40, 42)]);
    expect(dirty.spans(MINUTE, 60_000, 2)).toEqual([span(1, 21), span(40, 42)]);
    expect(dirty.spans(MINUTE + 1, 3_600_000, 2)).toEqual([]);
  });
});
