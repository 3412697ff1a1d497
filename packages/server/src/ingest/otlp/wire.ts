import protobuf from 'protobufjs/minimal.js';
import { DecodeError } from './model.ts';

/**
 * Protobuf wire helpers over protobufjs' minimal Reader. The Reader's own 64-bit reads go through Long
 * objects; OTLP's 64-bit fields are counts and nanosecond times that fit a double (or only need ms), so
 * these read them straight into numbers. Every length is checked against the enclosing message, so a
 * corrupt body fails with a DecodeError instead of reading into a neighbouring field.
 */
export type Reader = protobuf.Reader;

/** A reader over `buf` as a Buffer (no copy), so `bytesOf` can compare and slice it natively. */
export const newReader = (buf: Uint8Array): Reader =>
  protobuf.Reader.create(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));

/** The bytes a reader from `newReader` reads. */
export const bytesOf = (r: Reader): Buffer => r.buf as Buffer;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;

const TWO_32 = 4_294_967_296;

/** Reads a tag and rejects field number 0, which no valid message has. */
export function readTag(r: Reader): number {
  const tag = r.uint32();
  if (tag >>> 3 === 0) throw new DecodeError(`invalid field number 0 at byte ${r.pos}`);
  return tag;
}

/** Reads a length prefix and returns where that message or packed field ends, checked against `limit`. */
export function lengthEnd(r: Reader, limit: number): number {
  const length = r.uint32();
  const end = r.pos + length;
  if (end > limit)
    throw new DecodeError(`a field at byte ${r.pos} claims ${length} bytes but only ${limit - r.pos} remain`);
  return end;
}

/** Fails unless the field arrived with the wire type its schema gives it. */
export function expectWire(tag: number, wire: number, what: string): void {
  if ((tag & 7) !== wire) throw new DecodeError(`${what}: wire type ${tag & 7}, expected ${wire}`);
}

/** Skips a field this decoder does not use (unknown fields are allowed, as protobuf requires). */
export function skipField(r: Reader, tag: number, limit: number): void {
  r.skipType(tag & 7, 0, tag >>> 3);
  if (r.pos > limit) throw new DecodeError(`a skipped field runs past its message at byte ${limit}`);
}

/** Ends a message: its last field must end exactly where its length said. */
export function checkEnd(r: Reader, end: number, what: string): void {
  if (r.pos !== end) throw new DecodeError(`${what}: fields overrun the message length`);
}

export function fixed64(r: Reader): number {
  const lo = r.fixed32();
  return r.fixed32() * TWO_32 + lo;
}

export function sfixed64(r: Reader): number {
  const lo = r.fixed32();
  return r.sfixed32() * TWO_32 + lo;
}

/**
 * A fixed64 nanosecond time as epoch ms, exact: hi * 2^32 ns = hi * 4294 ms + hi * 967296 ns, and every
 * intermediate stays below 2^53, where a plain double of the whole value would be off by up to 256 ns.
 */
export function nanosToMs(r: Reader): number {
  const lo = r.fixed32();
  return nanoPartsToMs(lo, r.fixed32());
}

/** `nanosToMs` of a fixed64 already read as its low and high 32 bits. */
export function nanoPartsToMs(lo: number, hi: number): number {
  const rest = hi * 967_296 + lo;
  return hi * 4294 + (rest - (rest % 1_000_000)) / 1_000_000;
}

/** An unsigned varint of up to 64 bits as a number (exact below 2^53). */
export function uvarint64(r: Reader): number {
  const { buf } = r;
  let pos = r.pos;
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= r.len) throw new DecodeError('truncated varint');
    const byte = buf[pos++]!;
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      r.pos = pos;
      return result;
    }
    scale *= 128;
  }
  throw new DecodeError('varint longer than 10 bytes');
}

/**
 * A two's-complement int64 varint (negative numbers take all 10 bytes). The double sum of a negative one
 * has lost its low bits (-1 sums to exactly 2^64), so those few are read again exactly as a BigInt.
 */
export function varint64(r: Reader): number {
  const start = r.pos;
  const value = uvarint64(r);
  if (value < 2 ** 63) return value;
  let bits = 0n;
  for (let i = r.pos - 1; i >= start; i--) bits = (bits << 7n) | BigInt(r.buf[i]! & 0x7f);
  return Number(BigInt.asIntN(64, bits));
}

/** A repeated fixed64 field, packed (the proto3 default) or not: both encodings must be accepted. */
export function repeatedFixed64(r: Reader, tag: number, limit: number, out: number[]): void {
  if ((tag & 7) === WIRE_FIXED64) {
    out.push(fixed64(r));
    return;
  }
  expectWire(tag, WIRE_BYTES, 'repeated fixed64');
  const end = lengthEnd(r, limit);
  if ((end - r.pos) % 8 !== 0) throw new DecodeError('packed fixed64 field length is not a multiple of 8');
  while (r.pos < end) out.push(fixed64(r));
}

export function repeatedDouble(r: Reader, tag: number, limit: number, out: number[]): void {
  if ((tag & 7) === WIRE_FIXED64) {
    out.push(r.double());
    return;
  }
  expectWire(tag, WIRE_BYTES, 'repeated double');
  const end = lengthEnd(r, limit);
  if ((end - r.pos) % 8 !== 0) throw new DecodeError('packed double field length is not a multiple of 8');
  while (r.pos < end) out.push(r.double());
}

export function repeatedUvarint64(r: Reader, tag: number, limit: number, out: number[]): void {
  if ((tag & 7) === WIRE_VARINT) {
    out.push(uvarint64(r));
    return;
  }
  expectWire(tag, WIRE_BYTES, 'repeated uint64');
  const end = lengthEnd(r, limit);
  while (r.pos < end) out.push(uvarint64(r));
  checkEnd(r, end, 'packed uint64');
}

/** Writer for the small responses (ExportMetricsServiceResponse, google.rpc.Status). */
export const newWriter = (): protobuf.Writer => protobuf.Writer.create();
