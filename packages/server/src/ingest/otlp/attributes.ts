import type { AttributeValue } from '@pulseboard/shared';

/** An OTLP AnyValue as both decoders read it: bytes arrive as base64 text, an empty AnyValue as null. */
export type AnyValue = string | number | boolean | null | AnyValue[] | { [key: string]: AnyValue };

/** Deeper arrays and maps than this are a 400: they only serve to exhaust the stack. */
export const MAX_ANY_VALUE_DEPTH = 8;

/**
 * A series attribute from an AnyValue. Series attributes are flat (string, number, boolean), so arrays and
 * maps become their JSON text, as the OpenTelemetry spec says for non-OTLP representations; non-finite
 * numbers become text so the value survives; an empty value drops the attribute.
 */
export function toAttribute(value: AnyValue): AttributeValue | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object') return value;
  return JSON.stringify(value);
}

/**
 * `into[key] = value` as an own key whatever the name: assigned, `__proto__` would set the object's
 * prototype (dropping a string, adopting a map) instead of adding the attribute.
 */
export function setOwn<T>(into: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true });
  else into[key] = value;
}
