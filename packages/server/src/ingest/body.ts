import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import type { Core } from '../core.ts';
import { AppError, badRequest, LimitError } from '../errors.ts';
import type { BodyLease } from './body-budget.ts';

/** Content-Encodings an exporter may send; OTLP itself only uses gzip. */
const INFLATERS: Readonly<Record<string, (() => zlib.Gunzip | zlib.Inflate) | null>> = {
  identity: null,
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
};

const tooLarge = (limit: number) =>
  new AppError('PULSE_ERR_BODY_TOO_LARGE', `body: larger than the limit of ${limit} bytes (after decompression)`);

/** Past the in-flight budget; exporters retry a 503 after Retry-After. */
export const bodiesInFlight = () =>
  new LimitError(
    'inflight_bytes',
    'PULSE_ERR_OVERLOADED',
    'the server is holding as many request bodies as it may (--max-inflight-bytes); retry shortly',
    { 'retry-after': '1' },
  );

export interface BodyOptions {
  contentEncoding: string | undefined;
  /** The Content-Length header, when the client sent one. */
  contentLength: string | undefined;
  /** Bytes after decompression past which the body is refused with 413. */
  limit: number;
  /** This request's share of the in-flight budget: every byte read or inflated is taken from it first. */
  lease: BodyLease;
}

/**
 * Reads a request body, inflating it on the way, and stops at `limit` bytes of either the compressed or the
 * inflated stream: the limit applies after decompression, so a small gzip bomb is a 413, not an OOM. Every
 * chunk is taken from the in-flight budget before it is kept; past the budget the read stops with 503 (and
 * a Content-Length that cannot fit is refused before anything is read). Works without Content-Length
 * (exporters send chunked bodies).
 */
export function readBody(payload: Readable, options: BodyOptions): Promise<Buffer> {
  const { limit, lease } = options;
  const encoding = (options.contentEncoding ?? 'identity').trim().toLowerCase() || 'identity';
  if (!Object.hasOwn(INFLATERS, encoding)) {
    return refuse(
      payload,
      new AppError(
        'PULSE_ERR_UNSUPPORTED_MEDIA_TYPE',
        `content-encoding ${encoding} is not supported; send gzip or none`,
      ),
    );
  }
  // Node has checked that a Content-Length is a number; chunked bodies have none.
  const declared = options.contentLength === undefined ? 0 : Number(options.contentLength);
  if (declared > limit) return refuse(payload, tooLarge(limit));
  if (declared > 0 && !lease.take(declared)) return refuse(payload, bodiesInFlight());
  // Bytes of the declared length taken ahead, used up by the chunks as they arrive.
  let ahead = declared;
  const inflater = INFLATERS[encoding]?.() ?? null;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let received = 0;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      if (error) {
        if (inflater) {
          payload.unpipe(inflater);
          inflater.destroy();
        }
        chunks.length = 0;
        lease.release();
        // Keep reading (and dropping) so the socket can carry the error answer; Fastify then closes it.
        payload.resume();
        reject(error);
        return;
      }
      // The compressed input is garbage now; only the inflated body stays held until the answer.
      if (inflater) lease.give(received);
      resolve(Buffer.concat(chunks, size));
    };
    /** Takes a chunk's bytes from the budget (or from what the declared length took ahead). */
    const take = (bytes: number): boolean => {
      const covered = Math.min(ahead, bytes);
      ahead -= covered;
      return covered === bytes || lease.take(bytes - covered);
    };
    const output: Readable = inflater ?? payload;
    payload.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) finish(tooLarge(limit));
      else if (!take(chunk.length)) finish(bodiesInFlight());
    });
    payload.on('error', (error) => finish(badRequest(`body: could not be read (${error.message})`)));
    payload.on('aborted', () => finish(badRequest('body: the client aborted the request')));
    if (inflater) {
      output.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limit) finish(tooLarge(limit));
        else if (!lease.take(chunk.length)) finish(bodiesInFlight());
        else chunks.push(chunk);
      });
      inflater.on('error', (error) => finish(badRequest(`body: not valid ${encoding} (${error.message})`)));
      payload.pipe(inflater);
    } else {
      payload.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        chunks.push(chunk);
      });
    }
    output.on('end', () => {
      // A body shorter than its Content-Length gives back what was taken for the rest.
      lease.give(ahead);
      ahead = 0;
      finish(null);
    });
  });
}

/** Refuses before reading: the rest of the body is drained unkept so the answer can go out. */
function refuse(payload: Readable, error: AppError): Promise<Buffer> {
  payload.resume();
  return Promise.reject(error);
}

/** The body options of an ingest request: its headers, the body limit, its lease of the in-flight budget. */
export function bodyOptions(core: Core, request: FastifyRequest): BodyOptions {
  return {
    contentEncoding: request.headers['content-encoding'],
    contentLength: request.headers['content-length'],
    limit: core.config.bodyLimitBytes,
    lease: core.bodies.leaseFor(request),
  };
}
