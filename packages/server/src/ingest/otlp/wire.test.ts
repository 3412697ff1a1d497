import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { newReader, uvarint64, varint64 } from './wire.ts';

/** The bytes protobufjs' own writer makes of an int64, the way an SDK encodes `AnyValue.intValue`. */
const int64Bytes = (value: number) => protobuf.Writer.create().int64(value).finish();

describe('wire varints', () => {
  it('read int64 attribute values exactly, negative ones included', () => {
    for (const value of [0, 1, 300, -1, -2, -300, -(2 ** 31), 2 ** 53 - 1, -(2 ** 53 - 1)]) {
      const r = newReader(int64Bytes(value));
      expect(varint64(r), `${value}`).toBe(value);
      expect(r.pos).toBe(r.len);
    }
  });

  it('read uint64 counts up to 2^53 exactly', () => {
    for (const value of [0, 127, 128, 2 ** 32 + 5, 2 ** 53 - 1]) {
      expect(uvarint64(newReader(protobuf.Writer.create().uint64(value).finish()))).toBe(value);
    }
  });
});
