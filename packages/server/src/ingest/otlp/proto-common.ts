import { type AnyValue, MAX_ANY_VALUE_DEPTH, setOwn, toAttribute } from './attributes.ts';
import { type Attributes, DecodeError } from './model.ts';
import {
  checkEnd,
  expectWire,
  lengthEnd,
  newReader,
  type Reader,
  readTag,
  skipField,
  varint64,
  WIRE_BYTES,
  WIRE_FIXED64,
  WIRE_VARINT,
} from './wire.ts';

/**
 * opentelemetry/proto/common/v1: KeyValue and AnyValue, shared by every signal. Field numbers are listed in
 * PROTO_FIELDS.md (beside this file).
 */

/**
 * Decoded messages kept as objects (resources, metrics or spans, data points, quantiles, array values) one
 * export may hold. A legitimate 16 MiB export has under 800,000 (a data point takes 20 bytes or more); empty
 * messages take 2 bytes, and 8 million of them ran a decode worker out of memory.
 */
export const MAX_ENTRIES = 1_000_000;
let entriesLeft = MAX_ENTRIES;

/** Counts one more decoded message of the export being read; refuses the export past MAX_ENTRIES. */
export function countEntry(): void {
  if (--entriesLeft < 0) {
    throw new DecodeError(
      `more than ${MAX_ENTRIES.toLocaleString('en-US')} resources, items, data points and values in one export: send smaller batches`,
    );
  }
}

/** Reads one KeyValue (already positioned after its tag) into `into`. */
export function readKeyValue(r: Reader, limit: number, into: Attributes): void {
  const [key, value] = readPair(r, limit, 0);
  const attribute = toAttribute(value);
  if (key !== '' && attribute !== undefined) setOwn(into, key, attribute);
}

function readPair(r: Reader, limit: number, depth: number): [string, AnyValue] {
  const end = lengthEnd(r, limit);
  let key = '';
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, 'KeyValue.key');
      key = r.string();
    } else if (tag >>> 3 === 2) {
      expectWire(tag, WIRE_BYTES, 'KeyValue.value');
      value = readAnyValue(r, end, depth);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'KeyValue');
  return [key, value];
}

function readAnyValue(r: Reader, limit: number, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new DecodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  const end = lengthEnd(r, limit);
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = readTag(r);
    switch (tag >>> 3) {
      case 1:
        expectWire(tag, WIRE_BYTES, 'AnyValue.stringValue');
        value = r.string();
        break;
      case 2:
        expectWire(tag, WIRE_VARINT, 'AnyValue.boolValue');
        value = r.bool();
        break;
      case 3:
        expectWire(tag, WIRE_VARINT, 'AnyValue.intValue');
        value = varint64(r);
        break;
      case 4:
        expectWire(tag, WIRE_FIXED64, 'AnyValue.doubleValue');
        value = r.double();
        break;
      case 5:
        expectWire(tag, WIRE_BYTES, 'AnyValue.arrayValue');
        value = readArray(r, end, depth + 1);
        break;
      case 6:
        expectWire(tag, WIRE_BYTES, 'AnyValue.kvlistValue');
        value = readKvList(r, end, depth + 1);
        break;
      case 7:
        expectWire(tag, WIRE_BYTES, 'AnyValue.bytesValue');
        value = Buffer.from(r.bytes()).toString('base64');
        break;
      default:
        skipField(r, tag, end);
    }
  }
  checkEnd(r, end, 'AnyValue');
  return value;
}

function readArray(r: Reader, limit: number, depth: number): AnyValue[] {
  const end = lengthEnd(r, limit);
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, 'ArrayValue.values');
      countEntry();
      values.push(readAnyValue(r, end, depth));
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'ArrayValue');
  return values;
}

function readKvList(r: Reader, limit: number, depth: number): { [key: string]: AnyValue } {
  const end = lengthEnd(r, limit);
  const values: { [key: string]: AnyValue } = {};
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, 'KeyValueList.values');
      const [key, value] = readPair(r, end, depth);
      setOwn(values, key, value);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'KeyValueList');
  return values;
}

/** Resource { attributes = 1 }: only the attributes matter here. */
function readResource(r: Reader, limit: number, into: Attributes): void {
  const end = lengthEnd(r, limit);
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, 'Resource.attributes');
      readKeyValue(r, end, into);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, 'Resource');
}

/**
 * The envelope every OTLP export request shares (opentelemetry-proto v1.5.0, `collector/<signal>/v1` and
 * `<signal>/v1`), with Signal = Metrics or Spans:
 *   Export<Signal>ServiceRequest { resource_<signal> = 1 }
 *   Resource<Signal> { resource = 1, scope_<signal> = 2, schema_url = 3 }
 *   Scope<Signal> { scope = 1, <signal> = 2, schema_url = 3 }
 * Returns each resource's attributes and its items as `readItem` reads them (scopes are not needed).
 */
export function readExportRequest<T>(
  buf: Uint8Array,
  signal: 'Metrics' | 'Spans',
  readItem: (r: Reader, limit: number) => T,
): { attributes: Attributes; items: T[] }[] {
  const r = newReader(buf);
  entriesLeft = MAX_ENTRIES;
  const resources: { attributes: Attributes; items: T[] }[] = [];
  while (r.pos < r.len) {
    const tag = readTag(r);
    if (tag >>> 3 === 1) {
      expectWire(tag, WIRE_BYTES, `resource${signal}`);
      countEntry();
      resources.push(readResourceItems(r, r.len, signal, readItem));
    } else skipField(r, tag, r.len);
  }
  return resources;
}

function readResourceItems<T>(r: Reader, limit: number, signal: string, readItem: (r: Reader, limit: number) => T) {
  const end = lengthEnd(r, limit);
  const resource = { attributes: {} as Attributes, items: [] as T[] };
  while (r.pos < end) {
    const tag = readTag(r);
    const field = tag >>> 3;
    if (field === 1) {
      expectWire(tag, WIRE_BYTES, `Resource${signal}.resource`);
      readResource(r, end, resource.attributes);
    } else if (field === 2) {
      expectWire(tag, WIRE_BYTES, `Resource${signal}.scope${signal}`);
      readScopeItems(r, end, signal, readItem, resource.items);
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, `Resource${signal}`);
  return resource;
}

function readScopeItems<T>(
  r: Reader,
  limit: number,
  signal: string,
  readItem: (r: Reader, limit: number) => T,
  into: T[],
) {
  const end = lengthEnd(r, limit);
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 === 2) {
      expectWire(tag, WIRE_BYTES, `Scope${signal}.${signal.toLowerCase()}`);
      countEntry();
      into.push(readItem(r, end));
    } else skipField(r, tag, end);
  }
  checkEnd(r, end, `Scope${signal}`);
}
