import { parentPort } from 'node:worker_threads';
import { AppError } from '../../errors.ts';
import type { SampleBatch } from '../../model.ts';
import { decodeNativeBatch, type IngestLimits } from './decode.ts';

/** One request for the worker: a raw native body to parse and validate. */
export interface DecodeJob {
  id: number;
  body: Uint8Array;
  now: number;
  limits: IngestLimits;
}

export type DecodeResult =
  | { id: number; ok: true; batch: SampleBatch }
  | { id: number; ok: false; code: AppError['code']; message: string };

const utf8 = new TextDecoder();

/**
 * Runs off the main thread: parsing and validating a large JSON body, and collecting the garbage of its
 * millions of small arrays, is about half an ingest request's CPU. What comes back is one pair of typed
 * arrays per series, moved rather than copied.
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
    const transfer: ArrayBuffer[] = [];
    const batch = decodeNativeBatch(body, job.now, job.limits).map((samples) => {
      const timestamps = Float64Array.from(samples.timestamps);
      const values = Float64Array.from(samples.values);
      transfer.push(timestamps.buffer, values.buffer);
      return { ...samples, timestamps, values };
    });
    return { result: { id: job.id, ok: true, batch }, transfer };
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
