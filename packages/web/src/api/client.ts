import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';

const ErrorBodySchema = Type.Object({ code: Type.String(), message: Type.String() });

/** A failed request: the server's `{ code, message }`, a network failure, or a body the schema rejects. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type QueryValue = string | number | readonly string[] | undefined | null;

/** `?a=1&service=x&service=y`: arrays repeat the key; empty values are left out. */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number') search.append(key, String(value));
    else for (const item of value) search.append(key, item);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** GETs `path` and returns the body only if it matches `schema`; anything else throws an `ApiError`. */
export async function getJson<S extends TSchema>(path: string, schema: S, signal?: AbortSignal): Promise<Static<S>> {
  let response: Response;
  try {
    response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'NETWORK', 'the server did not answer');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    if (Value.Check(ErrorBodySchema, body)) throw new ApiError(response.status, body.code, body.message);
    throw new ApiError(response.status, 'HTTP', `${path} answered ${response.status}`);
  }
  if (!Value.Check(schema, body)) {
    const first = [...Value.Errors(schema, body)][0];
    const where = first?.instancePath || 'body';
    throw new ApiError(response.status, 'BAD_RESPONSE', `unexpected response from ${path}: ${where} ${first?.message}`);
  }
  return body;
}
