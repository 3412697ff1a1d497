import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { AppError, badRequest } from '../../errors.ts';

/** Content-Encodings an exporter may send; OTLP itself only uses gzip. */
const INFLATERS: Readonly<Record<string, (() => zlib.Gunzip | zlib.Inflate) | null>> = {
  identity: null,
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
};

const tooLarge = (limit: number) =>
  new AppError('PULSE_ERR_BODY_TOO_LARGE', `body: larger than the limit of ${limit} bytes (after decompression)`);

/**
 * Reads a request body, inflating it on the way, and stops at `limit` bytes of either the compressed or the
 * inflated stream: the limit applies after decompression, so a small gzip bomb is a 413, not an OOM. Works
 * without Content-Length (exporters send chunked bodies).
 */
export function readBody(payload: Readable, contentEncoding: string | undefined, limit: number): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase() || 'identity';
  if (!Object.hasOwn(INFLATERS, encoding)) {
    return Promise.reject(
      new AppError(
        'PULSE_ERR_UNSUPPORTED_MEDIA_TYPE',
        `content-encoding ${encoding} is not supported; send gzip or none`,
      ),
    );
  }
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
        // Keep reading (and dropping) so the socket can carry the error answer; Fastify then closes it.
        payload.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const output: Readable = inflater ?? payload;
    payload.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) finish(tooLarge(limit));
    });
    payload.on('error', (error) => finish(badRequest(`body: could not be read (${error.message})`)));
    payload.on('aborted', () => finish(badRequest('body: the client aborted the request')));
    if (inflater) {
      output.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) finish(tooLarge(limit));
        else chunks.push(chunk);
      });
      inflater.on('error', (error) => finish(badRequest(`body: not valid ${encoding} (${error.message})`)));
      payload.pipe(inflater);
    } else {
      payload.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) chunks.push(chunk);
      });
    }
    output.on('end', () => finish(null));
  });
}
