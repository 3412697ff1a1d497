import { parentPort } from 'node:worker_threads';
import { foldPacked, type PackedFold, transferables } from '../aggregate/packed.ts';
import { AppError } from '../errors.ts';
import { decodeNativeBatch, type IngestLimits } from './native/decode.ts';
import type { CumulativeHeads, Decisions } from './otlp/cumulative.ts';
import { convertOtlpExport, foldCumulative } from './otlp/off-thread.ts';
import { foldTraceExport } from './otlp/traces/off-thread.ts';

/** What every fold needs to know about the server's clock and tiers at the time of the request. */
export interface FoldContext {
  now: number;
  /** Seconds from here on still go to live frames. */
  liveFrom: number;
  /** Per coarse tier, buckets before this are written directly (see fold's `directBefore`). */
  directBefore: number[];
  limits: IngestLimits;
}

/** Work for a worker: a body to parse, validate and fold, or OTLP deltas to fold. */
export type JobSpec = { context: FoldContext } & (
  | { kind: 'native'; body: Uint8Array }
  | { kind: 'otlp'; body: Uint8Array; contentType: string }
  | { kind: 'otlp-cumulative'; ref: number; decisions: Decisions; finals: number[] }
  | { kind: 'traces'; body: Uint8Array; contentType: string; metricServices: string[] }
);

/** A job as posted to the worker, numbered by the pool. */
export type DecodeJob = JobSpec & { id: number };

/** What an OTLP body leaves for the main thread besides its folded deltas. */
export interface OtlpRest {
  /** Cumulative points, to plan against each series' last point (state lives on the main thread). */
  cumulative: CumulativeHeads;
  rejected: number;
  message: string;
  /** The request's body, handed back (it moved here) for the main thread's series-by-series fallback. */
  body: Uint8Array;
}

/** What a trace export leaves for the main thread besides its folded observations. */
export interface TraceRest {
  rejected: number;
  message: string;
  /** The request's body, handed back for the main thread's series-by-series fallback. */
  body: Uint8Array;
}

export type DecodeResult =
  | { id: number; ok: true; packed: PackedFold; otlp?: OtlpRest; states?: string[]; traces?: TraceRest }
  | { id: number; ok: false; code: AppError['code']; message: string };

const utf8 = new TextDecoder();

/**
 * Runs off the main thread: parsing, validating and folding a large body (and collecting the garbage of
 * its many small objects) is most of an ingest request's CPU. What comes back is the folded rows as a few
 * typed arrays, moved rather than copied; the main thread only assigns series ids and commits.
 */
export function runJob(job: DecodeJob): { result: DecodeResult; transfer: ArrayBuffer[] } {
  try {
    const { context } = job;
    let packed: PackedFold;
    let otlp: OtlpRest | undefined;
    let states: string[] | undefined;
    let traces: TraceRest | undefined;
    if (job.kind === 'native') {
      packed = foldPacked(decodeNativeBatch(parseJson(job.body), context.now, context.limits), context);
    } else if (job.kind === 'otlp') {
      ({ packed, rest: otlp } = convertOtlpExport(job.id, job.body, job.contentType, context));
    } else if (job.kind === 'traces') {
      ({ packed, rest: traces } = foldTraceExport(job.body, job.contentType, context, job.metricServices));
    } else {
      ({ packed, states } = foldCumulative(job.ref, job.decisions, job.finals, context));
    }
    const transfer = transferables(packed);
    if (otlp) transfer.push(otlp.body.buffer as ArrayBuffer, otlp.cumulative.points.buffer as ArrayBuffer);
    if (traces) transfer.push(traces.body.buffer as ArrayBuffer);
    return {
      result: {
        id: job.id,
        ok: true,
        packed,
        ...(otlp ? { otlp } : {}),
        ...(states ? { states } : {}),
        ...(traces ? { traces } : {}),
      },
      transfer,
    };
  } catch (error) {
    const failed = (code: AppError['code'], message: string) => ({
      result: { id: job.id, ok: false as const, code, message },
      transfer: [],
    });
    if (error instanceof AppError) return failed(error.code, error.message);
    return failed('PULSE_ERR_INTERNAL', 'internal error decoding the batch');
  }
}

/**
 * Plain JSON.parse rather than Fastify's guarded parser, which scans the whole text for prototype-poisoning
 * keys: JSON.parse makes `__proto__` an ordinary own key, and the decoder only reads known fields and
 * copies attributes as data.
 */
function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new AppError('PULSE_ERR_VALIDATION', `body: not valid JSON (${(error as Error).message})`);
  }
}

parentPort?.on('message', (job: DecodeJob) => {
  const { result, transfer } = runJob(job);
  parentPort!.postMessage(result, transfer);
});
