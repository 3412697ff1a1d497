import { badRequest } from '../../errors.ts';
import { decodeMetricsJson } from './decode-json.ts';
import { decodeMetricsProtobuf } from './decode-protobuf.ts';
import { DecodeError, type OtlpExport } from './model.ts';
import { countJsonItems, countProtobufItems, type Signal } from './signals.ts';
import { decodeTracesJson } from './traces/decode-json.ts';
import { decodeTracesProtobuf } from './traces/decode-protobuf.ts';
import type { TraceExport } from './traces/model.ts';
import { newWriter } from './wire.ts';

export interface PartialSuccess {
  rejected: number;
  message: string;
}

/** google.rpc.Status, the body of every OTLP error answer. */
export interface RpcStatus {
  code: number;
  message: string;
}

/** One OTLP/HTTP encoding: how requests decode and how answers are written back in the same encoding. */
export interface OtlpEncoding {
  contentType: string;
  decodeMetrics(body: Buffer): OtlpExport;
  decodeTraces(body: Buffer): TraceExport;
  countItems(body: Buffer, signal: Signal): number;
  /** Export*ServiceResponse: empty on full success, else `partialSuccess` under the signal's field name. */
  response(rejectedField: string, partial: PartialSuccess | null): Buffer | string;
  status(status: RpcStatus): Buffer | string;
}

const json: OtlpEncoding = {
  contentType: 'application/json',
  decodeMetrics: decodeMetricsJson,
  decodeTraces: decodeTracesJson,
  countItems: countJsonItems,
  // int64 is a decimal string in the protobuf JSON mapping.
  response: (field, partial) =>
    partial
      ? JSON.stringify({ partialSuccess: { [field]: String(partial.rejected), errorMessage: partial.message } })
      : '{}',
  status: (status) => JSON.stringify(status),
};

const protobuf: OtlpEncoding = {
  contentType: 'application/x-protobuf',
  decodeMetrics: decodeMetricsProtobuf,
  decodeTraces: decodeTracesProtobuf,
  countItems: (body) => countProtobufItems(body),
  // Every Export*ServiceResponse is { partial_success = 1 { rejected_<items> = 1 (int64), error_message = 2 } }.
  response: (_field, partial) => {
    const w = newWriter();
    if (partial) {
      w.uint32((1 << 3) | 2).fork();
      w.uint32(1 << 3).int64(partial.rejected);
      if (partial.message) w.uint32((2 << 3) | 2).string(partial.message);
      w.ldelim();
    }
    return Buffer.from(w.finish());
  },
  status: ({ code, message }) => {
    const w = newWriter();
    if (code !== 0) w.uint32(1 << 3).int32(code);
    w.uint32((2 << 3) | 2).string(message);
    return Buffer.from(w.finish());
  },
};

/** Decoders and answer writers by request content type. */
export const ENCODINGS: Readonly<Record<string, OtlpEncoding>> = {
  [json.contentType]: json,
  [protobuf.contentType]: protobuf,
};

/** The encoding for a Content-Type header (parameters such as charset ignored), if supported. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return Object.hasOwn(ENCODINGS, type) ? ENCODINGS[type] : undefined;
}

/** Decodes an export body of a supported content type; undecodable input is a 400 that says why. */
export function decodeOtlpMetrics(contentType: string, body: Buffer): OtlpExport {
  return decodeOrReject(() => ENCODINGS[contentType]!.decodeMetrics(body));
}

/** Runs a decoder, turning what it throws on bad input into a 400. */
export function decodeOrReject<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof DecodeError) throw badRequest(error.message);
    // JSON.parse of 100,000 nested brackets overflows the stack, in either content type's decoder.
    if (error instanceof RangeError && error.message.includes('call stack')) {
      throw badRequest('body: nested too deeply to decode');
    }
    // protobufjs' Reader signals truncation and bad wire types with plain Errors.
    if (error instanceof Error) throw badRequest(`body: not a valid OTLP protobuf message (${error.message})`);
    throw error;
  }
}
