import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { UNAUTHORIZED_EVENT } from '../session/context.ts';
import { checkerOf } from './check.ts';

const isErrorBody = checkerOf(Type.Object({ code: Type.String(), message: Type.String() }));

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

/** Turns a non-2xx response into an `ApiError` with the server's message when it sent one. */
function failure(status: number, body: unknown, path: string): ApiError {
  // The session ended (expired, logged out in another tab): the session gate asks for the key again.
  if (status === 401 && path !== '/api/v1/session') window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  if (isErrorBody(body)) return new ApiError(status, body.code, body.message);
  return new ApiError(status, 'HTTP', `${path} answered ${status}`);
}

/**
 * POST/PUT/DELETE with a JSON body. With a `schema`, the answer must match it; without one (204) nothing is read.
 */
export async function sendJson<S extends TSchema>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  schema: S,
): Promise<Static<S>>;
export async function sendJson(method: 'DELETE', path: string): Promise<void>;
export async function sendJson<S extends TSchema>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  schema?: S,
): Promise<Static<S> | undefined> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server did not answer');
  }
  if (!response.ok) throw failure(response.status, await response.json().catch(() => null), path);
  if (!schema) return undefined;
  const parsed: unknown = await response.json().catch(() => null);
  if (!checkerOf(schema)(parsed))
    throw new ApiError(response.status, 'BAD_RESPONSE', `unexpected response from ${path}`);
  return parsed;
}

/** A GET in flight, shared by every caller asking for the same path meanwhile. */
interface SharedGet {
  schema: TSchema;
  body: Promise<unknown>;
  /** Callers still waiting; the request is aborted when the last one gives up. */
  waiting: number;
  controller: AbortController;
}
const inFlight = new Map<string, SharedGet>();

/**
 * GETs `path` and returns the body only if it matches `schema`; anything else throws an `ApiError`. Callers that
 * ask for the same path while it is in flight share one request and one body (two charts of one width ask for the
 * same RED read on a cold load): a body is never changed in place by its readers.
 */
export function getJson<S extends TSchema>(path: string, schema: S, signal?: AbortSignal): Promise<Static<S>> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  let shared = inFlight.get(path);
  if (!shared || shared.schema !== schema) {
    const controller = new AbortController();
    const entry: SharedGet = { schema, body: load(path, schema, controller.signal), waiting: 0, controller };
    shared = entry;
    inFlight.set(path, entry);
    const settled = () => inFlight.get(path) === entry && inFlight.delete(path);
    entry.body.then(settled, settled);
  }
  const { body, controller } = shared;
  const get = shared;
  get.waiting++;
  if (!signal) return body as Promise<Static<S>>;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      if (--get.waiting === 0) {
        controller.abort();
        if (inFlight.get(path) === get) inFlight.delete(path);
      }
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    body.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value as Static<S>);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

async function load<S extends TSchema>(path: string, schema: S, signal: AbortSignal): Promise<Static<S>> {
  let response: Response;
  try {
    response = await fetch(path, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(0, 'NETWORK', 'the server did not answer');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw failure(response.status, body, path);
  if (!checkerOf(schema)(body)) {
    const first = [...Value.Errors(schema, body)][0];
    const where = first?.instancePath || 'body';
    throw new ApiError(response.status, 'BAD_RESPONSE', `unexpected response from ${path}: ${where} ${first?.message}`);
  }
  return body;
}
