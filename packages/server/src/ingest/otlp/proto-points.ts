import type {
  Attributes,
  ExponentialBuckets,
  ExponentialPoint,
  HistogramPoint,
  NumberPoint,
  SummaryPoint,
} from './model.ts';
import { finishPointAttributes, readPointAttribute, startPointAttributes } from './proto-attributes.ts';
import { countEntry } from './proto-common.ts';
import {
  bytesOf,
  checkEnd,
  expectWire,
  fixed64,
  lengthEnd,
  nanosToMs,
  type Reader,
  readTag,
  repeatedDouble,
  repeatedFixed64,
  repeatedUvarint64,
  sfixed64,
  skipField,
  WIRE_BYTES,
  WIRE_FIXED64,
  WIRE_VARINT,
} from './wire.ts';

/** opentelemetry/proto/metrics/v1 data points (field numbers in PROTO_FIELDS.md beside this file). */

/** Fields every point kind shares, by kind-specific numbers: attributes, start, time, flags. */
interface Common {
  attributes: Attributes;
  start: number;
  time: number;
  flags: number;
}

function readCommon(r: Reader, tag: number, tagAt: number, end: number, p: Common, f: PointFields): boolean {
  const field = tag >>> 3;
  if (field === f.attributes) {
    expectWire(tag, WIRE_BYTES, 'attributes');
    readPointAttribute(r, tagAt, end);
  } else if (field === 2) {
    expectWire(tag, WIRE_FIXED64, 'startTimeUnixNano');
    p.start = nanosToMs(r);
  } else if (field === 3) {
    expectWire(tag, WIRE_FIXED64, 'timeUnixNano');
    p.time = nanosToMs(r);
  } else if (field === f.flags) {
    expectWire(tag, WIRE_VARINT, 'flags');
    p.flags = r.uint32();
  } else return false;
  return true;
}

interface PointFields {
  attributes: number;
  flags: number;
}
const NUMBER_FIELDS: PointFields = { attributes: 7, flags: 8 };
const HISTOGRAM_FIELDS: PointFields = { attributes: 9, flags: 10 };
const EXPONENTIAL_FIELDS: PointFields = { attributes: 1, flags: 10 };
const SUMMARY_FIELDS: PointFields = { attributes: 7, flags: 8 };

export function readNumberPoint(r: Reader, limit: number): NumberPoint {
  const end = lengthEnd(r, limit);
  const p: NumberPoint = { attributes: {}, start: 0, time: 0, flags: 0, value: Number.NaN };
  startPointAttributes();
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = readTag(r);
    if (readCommon(r, tag, tagAt, end, p, NUMBER_FIELDS)) continue;
    const field = tag >>> 3;
    if (field === 4) {
      expectWire(tag, WIRE_FIXED64, 'asDouble');
      p.value = r.double();
    } else if (field === 6) {
      expectWire(tag, WIRE_FIXED64, 'asInt');
      p.value = sfixed64(r);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'NumberDataPoint');
  finishPointAttributes(r, p);
  return p;
}

export function readHistogramPoint(r: Reader, limit: number): HistogramPoint {
  const end = lengthEnd(r, limit);
  const p: HistogramPoint = {
    attributes: {},
    start: 0,
    time: 0,
    flags: 0,
    count: 0,
    sum: null,
    min: null,
    max: null,
    bounds: [],
    counts: [],
  };
  startPointAttributes();
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = readTag(r);
    if (readCommon(r, tag, tagAt, end, p, HISTOGRAM_FIELDS)) continue;
    const field = tag >>> 3;
    if (field === 4) {
      expectWire(tag, WIRE_FIXED64, 'count');
      p.count = fixed64(r);
    } else if (field === 5) {
      expectWire(tag, WIRE_FIXED64, 'sum');
      p.sum = r.double();
    } else if (field === 6) repeatedFixed64(r, tag, end, p.counts);
    else if (field === 7) readBounds(r, tag, end, p);
    else if (field === 11) {
      expectWire(tag, WIRE_FIXED64, 'min');
      p.min = r.double();
    } else if (field === 12) {
      expectWire(tag, WIRE_FIXED64, 'max');
      p.max = r.double();
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'HistogramDataPoint');
  finishPointAttributes(r, p);
  return p;
}

/** The last packed bounds decoded, as bytes and as numbers: a metric's points all repeat the same bounds. */
let lastBoundsBytes = new Uint8Array(0);
let lastBounds: number[] = [];

/**
 * HistogramDataPoint.explicit_bounds. Packed bounds equal to the previous point's share its array (never
 * mutated downstream), which spares decoding ~15 doubles per point and lets layouts compare by identity.
 */
function readBounds(r: Reader, tag: number, end: number, p: HistogramPoint): void {
  if ((tag & 7) !== WIRE_BYTES || p.bounds.length > 0) {
    // Unpacked, or a second run of values: never append to a shared array.
    if (p.bounds === lastBounds) p.bounds = [...lastBounds];
    repeatedDouble(r, tag, end, p.bounds);
    return;
  }
  const start = r.pos;
  const stop = lengthEnd(r, end);
  const from = r.pos;
  if (
    stop - from === lastBoundsBytes.length &&
    bytesOf(r).compare(lastBoundsBytes, 0, lastBoundsBytes.length, from, stop) === 0
  ) {
    p.bounds = lastBounds;
    r.pos = stop;
    return;
  }
  r.pos = start;
  repeatedDouble(r, tag, end, p.bounds);
  lastBoundsBytes = new Uint8Array(r.buf.subarray(from, stop));
  lastBounds = p.bounds;
}

export function readExponentialPoint(r: Reader, limit: number): ExponentialPoint {
  const end = lengthEnd(r, limit);
  const p: ExponentialPoint = {
    attributes: {},
    start: 0,
    time: 0,
    flags: 0,
    count: 0,
    sum: null,
    min: null,
    max: null,
    scale: 0,
    zeroCount: 0,
    positive: { offset: 0, counts: [] },
    negative: { offset: 0, counts: [] },
  };
  startPointAttributes();
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = readTag(r);
    if (readCommon(r, tag, tagAt, end, p, EXPONENTIAL_FIELDS)) continue;
    const field = tag >>> 3;
    if (field === 4 || field === 7) {
      expectWire(tag, WIRE_FIXED64, field === 4 ? 'count' : 'zeroCount');
      if (field === 4) p.count = fixed64(r);
      else p.zeroCount = fixed64(r);
    } else if (field === 5 || field === 12 || field === 13) {
      expectWire(tag, WIRE_FIXED64, 'sum/min/max');
      const value = r.double();
      if (field === 5) p.sum = value;
      else if (field === 12) p.min = value;
      else p.max = value;
    } else if (field === 6) {
      expectWire(tag, WIRE_VARINT, 'scale');
      p.scale = r.sint32();
    } else if (field === 8 || field === 9) {
      expectWire(tag, WIRE_BYTES, 'buckets');
      readBuckets(r, end, field === 8 ? p.positive : p.negative);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'ExponentialHistogramDataPoint');
  finishPointAttributes(r, p);
  return p;
}

function readBuckets(r: Reader, limit: number, into: ExponentialBuckets): void {
  const end = lengthEnd(r, limit);
  while (r.pos < end) {
    const tag = readTag(r);
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(tag, WIRE_VARINT, 'Buckets.offset');
      into.offset = r.sint32();
    } else if (field === 2) repeatedUvarint64(r, tag, end, into.counts);
    else skipField(r, tag, end);
  }
  checkEnd(r, end, 'Buckets');
}

export function readSummaryPoint(r: Reader, limit: number): SummaryPoint {
  const end = lengthEnd(r, limit);
  const p: SummaryPoint = { attributes: {}, start: 0, time: 0, flags: 0, count: 0, sum: 0, quantiles: [] };
  startPointAttributes();
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = readTag(r);
    if (readCommon(r, tag, tagAt, end, p, SUMMARY_FIELDS)) continue;
    const field = tag >>> 3;
    if (field === 4) {
      expectWire(tag, WIRE_FIXED64, 'count');
      p.count = fixed64(r);
    } else if (field === 5) {
      expectWire(tag, WIRE_FIXED64, 'sum');
      p.sum = r.double();
    } else if (field === 6) {
      expectWire(tag, WIRE_BYTES, 'quantileValues');
      countEntry();
      p.quantiles.push(readQuantile(r, end));
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'SummaryDataPoint');
  finishPointAttributes(r, p);
  return p;
}

function readQuantile(r: Reader, limit: number): { quantile: number; value: number } {
  const end = lengthEnd(r, limit);
  const q = { quantile: 0, value: 0 };
  while (r.pos < end) {
    const tag = readTag(r);
    const field = tag >>> 3;
    if (field === 1 || field === 2) {
      expectWire(tag, WIRE_FIXED64, 'ValueAtQuantile');
      if (field === 1) q.quantile = r.double();
      else q.value = r.double();
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'ValueAtQuantile');
  return q;
}
