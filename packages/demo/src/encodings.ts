/**
 * How the CLI puts a batch on the wire: native JSON to /api/v1/metrics, OTLP (JSON or protobuf) to
 * /v1/metrics through the demo's own encoder, so the OTLP ingest path gets continuous traffic too, or the
 * requests as OTLP spans (protobuf) to /v1/traces.
 */

import { type NativeItem, RED_METRIC } from '@pulseboard/shared';
import { buildExportRequest } from './otlp/model.ts';
import { decodeExportResponse, encodeExportRequest } from './otlp/protobuf.ts';
import { encodeTraceRequest } from './otlp/trace-protobuf.ts';
import { TraceBuilder } from './otlp/traces.ts';

export const FORMATS = ['native', 'otlp-json', 'otlp-protobuf', 'otlp-traces'] as const;
export type Format = (typeof FORMATS)[number];

/** What a 200 answer says was taken: observations, and OTLP data points refused via partialSuccess. */
export interface Outcome {
  observations: number;
  rejectedPoints: number;
  message?: string;
}

export interface Encoding {
  /** Path under the target URL. */
  path: string;
  contentType: string;
  encode(items: NativeItem[]): string | Uint8Array;
  /** Observations of a batch that this encoding carries (spans carry requests only). */
  carried(items: NativeItem[]): number;
  /** Reads a successful response body. */
  outcome(body: Uint8Array, items: NativeItem[]): Outcome;
}

const utf8 = new TextDecoder();

export function encodingFor(format: Format): Encoding {
  switch (format) {
    case 'native':
      return {
        path: '/api/v1/metrics',
        contentType: 'application/json',
        encode: (items) => JSON.stringify({ metrics: items }),
        carried: countObservations,
        outcome: (body, items) => {
          const accepted = parseJson(body) as { accepted?: unknown } | null;
          const observations = typeof accepted?.accepted === 'number' ? accepted.accepted : countObservations(items);
          return { observations, rejectedPoints: 0 };
        },
      };
    case 'otlp-json':
      return {
        path: '/v1/metrics',
        contentType: 'application/json',
        encode: (items) => JSON.stringify(buildExportRequest(items)),
        carried: countObservations,
        outcome: (body, items) => {
          const parsed = parseJson(body) as {
            partialSuccess?: { rejectedDataPoints?: string | number; errorMessage?: string };
          } | null;
          const partial = parsed?.partialSuccess;
          return otlpOutcome(items, Number(partial?.rejectedDataPoints ?? 0), partial?.errorMessage);
        },
      };
    case 'otlp-protobuf':
      return {
        path: '/v1/metrics',
        contentType: 'application/x-protobuf',
        encode: (items) => encodeExportRequest(buildExportRequest(items)),
        carried: countObservations,
        outcome: (body, items) => {
          const { rejected, message } = decodeExportResponse(body);
          return otlpOutcome(items, rejected, message);
        },
      };
    case 'otlp-traces': {
      const traces = new TraceBuilder();
      // Only requests travel as spans (one SERVER span each); gauges are left out.
      const carried = (items: NativeItem[]) => countObservations(items.filter((item) => item.name === RED_METRIC));
      return {
        path: '/v1/traces',
        contentType: 'application/x-protobuf',
        encode: (items) => encodeTraceRequest(traces.build(items)),
        carried,
        outcome: (body, items) => {
          const { rejected, message } = decodeExportResponse(body);
          return { observations: carried(items), rejectedPoints: rejected, message: message || undefined };
        },
      };
    }
  }
}

/**
 * OTLP reports refused data points, not which ones, so the observations are all counted as sent and the
 * refusals are reported beside them. The demo never produces points the server should refuse, so any
 * refusal is worth a look.
 */
function otlpOutcome(items: NativeItem[], rejected: number, message: string | undefined): Outcome {
  const rejectedPoints = Number.isFinite(rejected) ? rejected : 0;
  return { observations: countObservations(items), rejectedPoints, message: message || undefined };
}

/** Observations in a batch the way the server counts them: each point, or one per value item. */
export function countObservations(items: NativeItem[]): number {
  let n = 0;
  for (const item of items) n += item.points ? item.points.length : 1;
  return n;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch {
    return null;
  }
}
