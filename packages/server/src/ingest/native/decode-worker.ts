import { parentPort } from 'node:worker_threads';
import { type Prepared, prepareBatch } from '../../aggregate/prepare.ts';
import { AppError } from '../../errors.ts';
import { decodeNativeBatch, type IngestLimits } from './decode.ts';

/** One request for the worker: a raw native body to parse, validate and fold. */
export interface DecodeJob {
  id: number;
  body: Uint8Array;
  now: number;
  liveFrom: number;
  limits: IngestLimits;
}

export type DecodeResult =
  | { id: number; ok: true; prepared: Prepared }
  | { id: number; ok: false; code: AppError['code']; message: string };

const utf8 = new TextDecoder();

/**
 * Runs off the main thread: JSON parsing, validation and folding are most of an ingest request's CPU,
 * and the main thread keeps only what must be serial (series ids, the SQLite commit).
 */
export function runJob(job: DecodeJob): DecodeResult {
  try {
    let body: unknown;
    // Plain JSON.parse rather than Fastify's guarded parser, which scans the whole text for
    // prototype-poisoning keys: JSON.parse makes `__proto__` an ordinary own key, and the decoder only
    // reads known fields and copies attributes as data.
    try {
      body = JSON.parse(utf8.decode(job.body));
    } catch (error) {
      return {
        id: job.id,
        ok: false,
        code: 'PULSE_ERR_VALIDATION',
        message: `body: not valid JSON (${(error as Error).message})`,
      };
    }
    const batch = decodeNativeBatch(body, job.now, job.limits);
    return { id: job.id, ok: true, prepared: prepareBatch(batch, job.liveFrom) };
  } catch (error) {
    if (error instanceof AppError) return { id: job.id, ok: false, code: error.code, message: error.message };
    return { id: job.id, ok: false, code: 'PULSE_ERR_INTERNAL', message: 'internal error decoding the batch' };
  }
}

parentPort?.on('message', (job: DecodeJob) => {
  parentPort!.postMessage(runJob(job));
});
