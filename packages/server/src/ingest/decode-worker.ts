import { parentPort } from 'node:worker_threads';
import { foldPacked, type PackedFold, transferables } from '../aggregate/packed.ts';
import { AppError } from '../errors.ts';
import type { CumulativeState } from '../store/store.ts';
import { tooManyContainers } from './json-containers.ts';
import { decodeNativeBatch, type IngestLimits } from './native/decode.ts';
import { decodeOrReject, ENCODINGS } from './otlp/encodings.ts';
import {
  forgetCumulative,
  ingestExport,
  loadCumulativeSeries,
  type OtlpRest,
  reloadCumulative,
  settleExport,
} from './otlp/off-thread.ts';
import { SIGNALS } from './otlp/signals.ts';
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

/** Work for a worker: a body to parse, validate and fold, or (`count-logs`) only to count its log records. */
export type JobSpec =
  | { kind: 'count-logs'; body: Uint8Array; contentType: string }
  | ({ context: FoldContext } & (
      | { kind: 'native'; body: Uint8Array }
      | { kind: 'otlp'; body: Uint8Array; contentType: string; refused?: ReadonlyMap<string, string> }
      | {
          kind: 'traces';
          body: Uint8Array;
          contentType: string;
          metricServices: string[];
          refused?: ReadonlyMap<string, string>;
        }
    ));

/** A job as posted to the worker, numbered by the pool. */
export type DecodeJob = JobSpec & { id: number };

/** Messages about the OTLP cumulative series that get no answer (see DecodePool). */
export type CumulativeNotice =
  | { kind: 'load-cumulative'; rows: CumulativeState[]; otherStarts: boolean }
  | { kind: 'settle'; id: number; committed: boolean }
  | { kind: 'reload-cumulative'; current: CumulativeState[]; missing: string[] }
  | { kind: 'forget-cumulative'; forget: { service: string } | { before: number } };

/** What a trace export leaves for the main thread besides its folded observations. */
export interface TraceRest {
  rejected: number;
  message: string;
  /** The request's body, handed back to map it again without the series the registry refused. */
  body: Uint8Array;
}

type Done = { packed: PackedFold; otlp?: OtlpRest; traces?: TraceRest };

export type DecodeResult =
  | ({ id: number; ok: true } & Done)
  | { id: number; ok: true; count: number }
  | { id: number; ok: false; code: AppError['code']; message: string };

const utf8 = new TextDecoder();

/**
 * Runs off the main thread: parsing, validating and folding a large body (and collecting the garbage of
 * its many small objects) is most of an ingest request's CPU. What comes back is the folded rows as a few
 * typed arrays, moved rather than copied; the main thread only assigns series ids and commits. `post`
 * gets the answer, later for an OTLP export that waits for its cumulative series.
 */
export function runJob(job: DecodeJob, post: (result: DecodeResult, transfer: ArrayBuffer[]) => void): void {
  const failed = (error: unknown) => {
    const known = error instanceof AppError;
    const code = known ? error.code : 'PULSE_ERR_INTERNAL';
    post({ id: job.id, ok: false, code, message: known ? error.message : 'internal error decoding the batch' }, []);
  };
  if (job.kind === 'count-logs') {
    // Parsed here, not on the main thread: a 16 MiB JSON export of log records took it for a second.
    const { body, contentType } = job;
    try {
      const count = decodeOrReject(() => ENCODINGS[contentType]!.countItems(Buffer.from(body), SIGNALS.logs));
      post({ id: job.id, ok: true, count }, []);
    } catch (error) {
      failed(error);
    }
    return;
  }
  const answer = (work: () => Done) => {
    try {
      const done = work();
      const transfer = transferables(done.packed);
      if (done.otlp) transfer.push(done.otlp.body.buffer as ArrayBuffer);
      if (done.traces) transfer.push(done.traces.body.buffer as ArrayBuffer);
      post({ id: job.id, ok: true, ...done }, transfer);
    } catch (error) {
      failed(error);
    }
  };
  const { context } = job;
  if (job.kind === 'native') {
    answer(() => ({
      packed: foldPacked(decodeNativeBatch(parseJson(job.body), context.now, context.limits), {
        ...context,
        maxBuckets: context.limits.maxBucketsPerRequest,
      }),
    }));
  } else if (job.kind === 'traces') {
    answer(() => {
      const { packed, rest } = foldTraceExport(job.body, job.contentType, context, job.metricServices, job.refused);
      return { packed, traces: rest };
    });
  } else {
    const otlp = (work: () => { packed: PackedFold; rest: OtlpRest }) =>
      answer(() => {
        const { packed, rest } = work();
        return { packed, otlp: rest };
      });
    try {
      ingestExport(job, otlp);
    } catch (error) {
      // Decoding and converting failed before the export could wait: answer now.
      otlp(() => {
        throw error;
      });
    }
  }
}

/**
 * Plain JSON.parse rather than Fastify's guarded parser, which scans the whole text for prototype-poisoning
 * keys: JSON.parse makes `__proto__` an ordinary own key, and the decoder only reads known fields and
 * copies attributes as data.
 */
function parseJson(body: Uint8Array): unknown {
  const tooMany = tooManyContainers(body);
  if (tooMany) throw new AppError('PULSE_ERR_VALIDATION', tooMany);
  try {
    return JSON.parse(utf8.decode(body));
  } catch (error) {
    throw new AppError('PULSE_ERR_VALIDATION', `body: not valid JSON (${(error as Error).message})`);
  }
}

parentPort?.on('message', (message: DecodeJob | CumulativeNotice) => {
  if (message.kind === 'load-cumulative') loadCumulativeSeries(message.rows, message.otherStarts);
  else if (message.kind === 'settle') settleExport(message.id, message.committed);
  else if (message.kind === 'forget-cumulative') forgetCumulative(message.forget);
  else if (message.kind === 'reload-cumulative') reloadCumulative(message.current, message.missing);
  else runJob(message, (result, transfer) => parentPort!.postMessage(result, transfer));
});
