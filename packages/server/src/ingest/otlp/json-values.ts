import { tooManyContainers } from '../json-containers.ts';
import { type AnyValue, MAX_ANY_VALUE_DEPTH, setOwn, toAttribute } from './attributes.ts';
import { type Attributes, DecodeError, TEMPORALITY_BY_NAME, TEMPORALITY_BY_NUMBER, type Temporality } from './model.ts';

/**
 * Scalars of the protobuf JSON mapping as OTLP/JSON uses it. A field that is absent or null takes its
 * default, as proto3 says; a field of the wrong JSON type is a DecodeError naming its path.
 */

export type Json = Record<string, unknown>;

const fail = (path: string, expected: string, value: unknown): never => {
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : JSON.stringify(value)?.slice(0, 40);
  throw new DecodeError(`${path}: must be ${expected} (got ${shown})`);
};

/** A request body as JSON; text that is not JSON is a DecodeError (a 400). */
export function parseBody(body: Buffer): unknown {
  const tooMany = tooManyContainers(body);
  if (tooMany) throw new DecodeError(tooMany);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new DecodeError(`body: not valid JSON (${(error as Error).message})`);
  }
}

export function object(value: unknown, path: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return fail(path, 'an object', value);
  return value as Json;
}

export function array(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail(path, 'an array', value);
  return value;
}

export function string(value: unknown, path: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return fail(path, 'a string', value);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') return fail(path, 'true or false', value);
  return value;
}

const INTEGER_TEXT = /^-?\d{1,20}$/;

/** int32/int64/uint64: a JSON number or (for 64-bit values, as the mapping prefers) a decimal string. */
export function integer(value: unknown, path: string, min = Number.NEGATIVE_INFINITY): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    return fail(path, min === 0 ? 'a non-negative integer' : 'an integer', value);
  }
  return n;
}

/** A nanosecond time as epoch ms. Decimal strings are cut exactly; numbers past 2^53 are already rounded. */
export function nanosToMs(value: unknown, path: string): number {
  if (typeof value === 'string' && INTEGER_TEXT.test(value) && !value.startsWith('-')) {
    return value.length <= 6 ? 0 : Number(value.slice(0, -6));
  }
  return Math.floor(integer(value, path, 0) / 1_000_000);
}

const SPECIAL_DOUBLES: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** A double: a JSON number, or a string holding a number or NaN/Infinity/-Infinity (the mapping allows both). */
export function double(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (Object.hasOwn(SPECIAL_DOUBLES, value)) return SPECIAL_DOUBLES[value]!;
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isNaN(n)) return n;
  }
  return fail(path, 'a number', value);
}

export function optionalDouble(value: unknown, path: string): number | null {
  return value === undefined || value === null ? null : double(value, path);
}

/** AggregationTemporality: the number (as OTLP/JSON requires) or, leniently, the enum's name. */
export function temporality(value: unknown, path: string): Temporality {
  // Own keys only: a name such as `constructor` found Object's own, a function taken for a temporality.
  const table: Readonly<Record<string | number, Temporality>> =
    typeof value === 'string' ? TEMPORALITY_BY_NAME : TEMPORALITY_BY_NUMBER;
  if ((typeof value === 'string' || typeof value === 'number') && Object.hasOwn(table, value)) return table[value]!;
  return fail(path, '1 (DELTA) or 2 (CUMULATIVE)', value ?? 0);
}

/** A KeyValue list into flat attributes (see toAttribute for arrays and maps). */
export function attributes(value: unknown, path: string, into: Attributes = {}): Attributes {
  const list = array(value, path);
  for (let i = 0; i < list.length; i++) {
    const kv = object(list[i], `${path}[${i}]`);
    const key = string(kv.key, `${path}[${i}].key`);
    const attribute = toAttribute(anyValue(kv.value, `${path}[${i}].value`, 0));
    if (key !== '' && attribute !== undefined) setOwn(into, key, attribute);
  }
  return into;
}

function anyValue(value: unknown, path: string, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw new DecodeError(`${path}: nested deeper than ${MAX_ANY_VALUE_DEPTH}`);
  const v = object(value, path);
  if (v.stringValue !== undefined) return string(v.stringValue, `${path}.stringValue`);
  if (v.boolValue !== undefined) return boolean(v.boolValue, `${path}.boolValue`);
  if (v.intValue !== undefined) return integer(v.intValue, `${path}.intValue`);
  if (v.doubleValue !== undefined) return double(v.doubleValue, `${path}.doubleValue`);
  // Bytes are base64 in JSON already, which is also how they are kept.
  if (v.bytesValue !== undefined) return string(v.bytesValue, `${path}.bytesValue`);
  if (v.arrayValue !== undefined) {
    const values = array(object(v.arrayValue, `${path}.arrayValue`).values, `${path}.arrayValue.values`);
    return values.map((item, i) => anyValue(item, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (v.kvlistValue !== undefined) {
    const values = array(object(v.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`);
    const out: { [key: string]: AnyValue } = {};
    values.forEach((item, i) => {
      const kv = object(item, `${path}.kvlistValue.values[${i}]`);
      const key = string(kv.key, `${path}.kvlistValue.values[${i}].key`);
      setOwn(out, key, anyValue(kv.value, `${path}.kvlistValue.values[${i}].value`, depth + 1));
    });
    return out;
  }
  return null;
}
