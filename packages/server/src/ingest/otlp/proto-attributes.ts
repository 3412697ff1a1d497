import type { Attributes, PointBase } from './model.ts';
import { readKeyValue } from './proto-common.ts';
import { bytesOf, expectWire, lengthEnd, type Reader, readTag, WIRE_BYTES } from './wire.ts';

/**
 * A data point's attributes, decoded once per distinct byte string in a request. Every point of a series
 * repeats the same attribute bytes (an SDK writes them in one order), so points note where theirs lie and
 * the text of those bytes both finds the decoded attributes and groups the points into series downstream
 * (`PointBase.attributesKey`) without comparing objects. Attributes interleaved with other fields (legal,
 * never seen from an SDK) are decoded as they come instead.
 *
 * State is per point and per request at module level: decoding is synchronous and points do not nest.
 */
const decoded = new Map<string, Attributes>();
let from = -1;
let to = -1;
let eager: Attributes | null = null;

/** Forgets the previous request's attributes; called when a request's decoding starts. */
export function resetAttributeCache(): void {
  decoded.clear();
}

/** Called before a point's fields are read. */
export function startPointAttributes(): void {
  from = -1;
  to = -1;
  eager = null;
}

/** Reads (or marks for later) one attributes field whose tag began at `tagAt`; `end` is the point's end. */
export function readPointAttribute(r: Reader, tagAt: number, end: number): void {
  if (eager === null && (from < 0 || to === tagAt)) {
    if (from < 0) from = tagAt;
    r.pos = lengthEnd(r, end);
    to = r.pos;
    return;
  }
  if (eager === null) {
    eager = {};
    decodeRange(r, from, to, eager);
  }
  readKeyValue(r, end, eager);
}

/** Sets the point's attributes (shared with every point of identical bytes: never mutate them). */
export function finishPointAttributes(r: Reader, p: PointBase): void {
  if (eager !== null) {
    p.attributes = eager;
    return;
  }
  if (from < 0) return;
  const key = bytesOf(r).toString('latin1', from, to);
  let attributes = decoded.get(key);
  if (!attributes) {
    attributes = {};
    decodeRange(r, from, to, attributes);
    decoded.set(key, attributes);
  }
  p.attributes = attributes;
  p.attributesKey = key;
}

/** Decodes the attributes fields in bytes [start, stop), which hold nothing else. */
function decodeRange(r: Reader, start: number, stop: number, into: Attributes): void {
  const resume = r.pos;
  r.pos = start;
  while (r.pos < stop) {
    const tag = readTag(r);
    expectWire(tag, WIRE_BYTES, 'attributes');
    readKeyValue(r, stop, into);
  }
  r.pos = resume;
}
