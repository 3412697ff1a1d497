import { parentPort } from 'node:worker_threads';
import { foldPacked, type PackedFold, transferables } from '../../aggregate/packed.ts';
import { AppError } from '../../errors.ts';
import { decodeNativeBatch, type IngestLimits } from './decode.ts';

/** One request for the worker: a raw native body to parse, validate and fold. */
export interface DecodeJob {
  id: number;
  body: Uint8Array;
  now: number;
  /** Seconds from here on still go to live frames. */
  liveFrom: number;
  /** Per coarse tier, buckets before this are written directly (see fold's `directBefore`). */
  directBefore: number[];
  limits: IngestLimits;
}

export type DecodeResult =
  | { id: number; ok: true; packed: PackedFold }
  | { id: number; ok: false; code: AppError['code']; message: string };

const utf8 = new TextDecoder();

/**
 * Runs off the main thread: parsing, validating and folding a large JSON body (and collecting the
 * garbage of its millions of small arrays) is most of an ingest request's CPU. What comes back is the
 * folded rows as a few typed arrays, moved rather than copied; the main thread only assigns series ids
 * and commits.
 */
export function runJob(job: DecodeJob): { result: DecodeResult; transfer: ArrayBuffer[] } {
  try {
    let body: unknown;
    // Plain JSON.parse rather than Fastify's guarded parser, which scans the whole text for
    // prototype-poisoning keys: JSON.parse makes `__proto__` an ordinary own key, and the decoder only
    // reads known fields and copies attributes as data.
    try {
      body = JSON.parse(utf8.decode(job.body));
    } catch (error) {
      const message = `body: not valid JSON (${(error as Error).message})`;
      return { result: { id: job.id, ok: false, code: 'PULSE_ERR_VALIDATION', message }, transfer: [] };
    }
    const packed = foldPacked(decodeNativeBatch(body, job.now, job.limits), job.liveFrom, job.directBefore);
    return { result: { id: job.id, ok: true, packed }, transfer: transferables(packed) };
  } catch (error) {
    const failed = (code: AppError['code'], message: string) => ({
      result: { id: job.id, ok: false as const, code, message },
      transfer: [],
    });
    if (error instanceof AppError) return failed(error.code, error.message);
    return failed('PULSE_ERR_INTERNAL', 'internal error decoding the batch');
  }
}

parentPort?.on('message', (job: DecodeJob) => {
  const { result, transfer } = runJob(job);
  parentPort!.postMessage(result, transfer);
});
