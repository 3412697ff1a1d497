/** Byte ranges longer than this are decoded every time: names, routes and peers are shorter. */
const MAX_CACHED_BYTES = 96;
/** Slots in the table (a power of two): a few hundred distinct short strings per service stay decoded. */
const SLOTS = 4096;

/**
 * Strings decoded from UTF-8 byte ranges, remembered by their bytes. The spans of an export (and of the
 * next) repeat the same names, routes, peers and tracestate on nearly every span; decoding each again was
 * a third of a trace export's decode. Bounded memory: a fixed table of SLOTS short keys, where a new
 * string takes the place of whatever hashed to its slot. Decodes exactly as `Buffer#toString('utf8')`
 * does (malformed bytes become U+FFFD), since that is what a miss does.
 */
export class Utf8Cache {
  private readonly keys: (Uint8Array | undefined)[] = new Array(SLOTS);
  private readonly values: string[] = new Array(SLOTS);

  get(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length === 0) return '';
    if (length > MAX_CACHED_BYTES) return buf.toString('utf8', start, end);
    // FNV-1a over the bytes.
    let hash = 0x811c9dc5 ^ length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const slot = hash & (SLOTS - 1);
    const key = this.keys[slot];
    if (key !== undefined && key.length === length) {
      let i = 0;
      while (i < length && key[i] === buf[start + i]) i++;
      if (i === length) return this.values[slot]!;
    }
    const value = buf.toString('utf8', start, end);
    // A copy of its own (not a view, and not a slice of Buffer's shared pool, which would keep 8 KiB alive).
    this.keys[slot] = Uint8Array.prototype.slice.call(buf, start, end);
    this.values[slot] = value;
    return value;
  }
}
