import type { PackedRows, Rows } from './rows.ts';

/**
 * `Rows` as one byte string and back, for a journal that keeps a commit's rows until they are written to
 * their tables (see sqlite/write-behind.ts). Layout: a u32 length, a JSON header (the strings and each
 * block's sizes), then each block's columns (f64), sketch ends (u32) and sketch bytes, every part starting
 * on an 8-byte boundary. Little-endian, as typed arrays are on every platform Node runs on here.
 */

interface Header {
  strings: string[];
  /** Per tier, the sample blocks' and the RED blocks' sizes: numbers, rows, sketch bytes. */
  samples: [number, number, number][];
  red: [number, number, number][];
}

const pad8 = (n: number) => (n + 7) & ~7;

const sizes = (b: PackedRows): [number, number, number] => [b.columns.length, b.sketchEnds.length, b.sketches.length];

const blockBytes = ([numbers, rows, bytes]: [number, number, number]) =>
  pad8(numbers * 8) + pad8(rows * 4) + pad8(bytes);

export function encodeRows(rows: Rows): Buffer {
  const header: Header = { strings: rows.strings, samples: rows.samples.map(sizes), red: rows.red.map(sizes) };
  const json = Buffer.from(JSON.stringify(header));
  const start = pad8(4 + json.length);
  let total = start;
  for (const s of [...header.samples, ...header.red]) total += blockBytes(s);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let at = start;
  for (const block of [...rows.samples, ...rows.red]) {
    for (const part of [block.columns, block.sketchEnds, block.sketches]) {
      out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += pad8(part.byteLength);
    }
  }
  return out;
}

/** The rows `encodeRows` wrote. Throws on bytes it did not write (a truncated or foreign blob). */
export function decodeRows(bytes: Uint8Array): Rows {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.readUInt32LE(0);
  const header = JSON.parse(view.toString('utf8', 4, 4 + length)) as Header;
  let at = pad8(4 + length);
  // Copied out of the blob: its offset within its buffer need not suit a Float64Array.
  const take = (byteLength: number) => {
    if (at + byteLength > view.length) throw new RangeError('journal entry is truncated');
    const part = new Uint8Array(byteLength);
    part.set(view.subarray(at, at + byteLength));
    at += pad8(byteLength);
    return part.buffer;
  };
  const block = ([numbers, rows, sketchBytes]: [number, number, number]): PackedRows => ({
    columns: new Float64Array(take(numbers * 8)),
    sketchEnds: new Uint32Array(take(rows * 4)),
    sketches: new Uint8Array(take(sketchBytes)),
  });
  return { strings: header.strings, samples: header.samples.map(block), red: header.red.map(block) };
}
