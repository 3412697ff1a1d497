import { describe, expect, it } from 'vitest';
import { forEachRed, forEachSample, RowsBuilder, rowCount, sliceRows } from './rows.ts';
import { decodeRows, encodeRows } from './rows-codec.ts';
import { encodedSketch } from './test-rows.ts';

const stats = (count: number) => ({ count, sum: count * 2.5, min: 0.5, max: 9, last: 3, lastT: 1_000 + count });

function someRows() {
  const rows = new RowsBuilder(4);
  rows.sample(1, 7, 10_000, stats(3), encodedSketch(1, 2, 3));
  rows.sample(1, 8, 10_000, stats(1), null);
  rows.sample(2, 7, 60_000, { ...stats(2), sum: Number.NaN }, encodedSketch(4.25, 100));
  rows.red(0, 'checkout', undefined, 1_000, 5, 1, encodedSketch(1, 1, 2, 3, 5));
  rows.red(1, 'checkout', '/pay', 10_000, 5, 1, encodedSketch(1, 1, 2, 3, 5));
  rows.red(1, 'checkout', null, 10_000, 2, 0, encodedSketch(7));
  rows.red(1, 'payments.v2', '/ünïcode "quoted"', 10_000, 1, 1, encodedSketch(0.001));
  return rows.finish();
}

describe('rows as journal bytes', () => {
  it('come back exactly: numbers (NaN too), rows without a sketch, names', () => {
    const rows = someRows();
    expect(decodeRows(encodeRows(rows))).toEqual(rows);
  });

  it('decode from any offset of a larger buffer, as SQLite hands a blob over', () => {
    const bytes = encodeRows(someRows());
    const shifted = Buffer.alloc(bytes.length + 3);
    bytes.copy(shifted, 3);
    expect(decodeRows(shifted.subarray(3))).toEqual(someRows());
  });

  it('keep empty tiers as empty blocks', () => {
    const rows = new RowsBuilder(4).finish();
    expect(decodeRows(encodeRows(rows))).toEqual(rows);
  });

  it('refuse a truncated entry rather than read rows that were not written', () => {
    const bytes = encodeRows(someRows());
    expect(() => decodeRows(bytes.subarray(0, bytes.length - 9))).toThrow(/truncated/);
  });
});

describe('rows cut into parts for the journal', () => {
  /** Every row as the store receives it, samples then RED. */
  const listed = (parts: ReturnType<typeof someRows>[]) => {
    const out: unknown[] = [];
    for (const rows of parts) {
      forEachSample(rows, (...row) => out.push(['sample', ...row]));
      forEachRed(rows, (...row) => out.push(['red', ...row]));
    }
    return out;
  };

  it('are every row once, in order, with its own sketch, at most `max` rows a part', () => {
    const rows = someRows();
    for (const max of [1, 2, 3, 6]) {
      const parts = sliceRows(rows, max);
      expect(parts.map(rowCount)).toEqual(
        max === 6 ? [6, 1] : max === 3 ? [3, 3, 1] : max === 2 ? [2, 2, 2, 1] : Array(7).fill(1),
      );
      expect(listed(parts)).toEqual(listed([rows]));
      // Each part stands alone in the journal too.
      expect(listed(parts.map((part) => decodeRows(encodeRows(part))))).toEqual(listed([rows]));
    }
  });

  it('are the rows themselves when they fit', () => {
    const rows = someRows();
    expect(sliceRows(rows, 7)).toEqual([rows]);
    expect(sliceRows(rows, 7)[0]).toBe(rows);
  });
});
