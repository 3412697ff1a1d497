import { describe, expect, it } from 'vitest';
import { RowsBuilder } from './rows.ts';
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
