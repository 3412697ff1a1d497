import { parseTimeParam } from '@pulseboard/shared';
import { badRequest } from '../errors.ts';
import { DEFAULT_MAX_POINTS, MAX_POINTS_LIMIT } from './steps.ts';

export interface Range {
  from: number;
  to: number;
}

/** `from`/`to` per the contract's conventions; defaults to the last hour. */
export function parseRange(query: { from?: string; to?: string }, now: number): Range {
  const from = parseTime(query.from ?? 'now-1h', 'from', now);
  const to = parseTime(query.to ?? 'now', 'to', now);
  if (from >= to) throw badRequest(`from: must be before to (from=${from}, to=${to})`);
  return { from, to };
}

function parseTime(text: string, param: string, now: number): number {
  const t = parseTimeParam(text, now);
  if (t === null) throw badRequest(`${param}: must be epoch milliseconds, now, or now-<n><s|m|h|d|w> (got "${text}")`);
  // Buckets are aligned to multiples of their step from epoch 0: a range across it never fit one bucket, and
  // planning `maxPoints=1` over it looped for good (one GET held the server).
  if (t < 0) throw badRequest(`${param}: must not be before 1970 (got "${text}")`);
  return t;
}

export function parseMaxPoints(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_POINTS;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_POINTS_LIMIT) {
    throw badRequest(`maxPoints: must be a whole number from 1 to ${MAX_POINTS_LIMIT} (got "${text}")`);
  }
  return n;
}

/**
 * Repeated `service=a&service=b` arrives as an array, a single one as a string. Absent is every service; present
 * but naming none (`service=`, a link built from an empty name) is refused rather than read as every service.
 */
export function parseServices(value: string | string[] | undefined): string[] | null {
  if (value === undefined) return null;
  const list = (Array.isArray(value) ? value : [value]).flatMap((s) => s.split(',')).filter((s) => s.length > 0);
  if (list.length === 0) throw badRequest('service: must name a service (leave it out for every service)');
  return [...new Set(list)];
}

/** A `true`/`false` query flag; absent is false. */
export function parseFlag(text: string | undefined, name: string): boolean {
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw badRequest(`${name}: must be true or false (got "${text}")`);
}

/** `groupBy=route` splits RED by route; absent is per service. */
export function parseGroupBy(text: string | undefined): boolean {
  if (text === undefined) return false;
  if (text === 'route') return true;
  throw badRequest(`groupBy: must be route (got "${text}")`);
}

/** A parameter the route cannot do without. */
export function required(text: string | undefined, name: string): string {
  if (text === undefined || text === '') throw badRequest(`${name}: required`);
  return text;
}
