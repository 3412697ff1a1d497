import { array, object, parseBody } from './json-values.ts';
import { checkEnd, lengthEnd, newReader, type Reader, readTag, skipField, WIRE_BYTES } from './wire.ts';

/**
 * Logs are not stored, but an SDK configured with one endpoint for every signal sends them here too. They
 * are answered with a partialSuccess refusing every item, which needs only the item count
 * (ResourceLogs = 1 -> ScopeLogs = 2 -> LogRecord = 2).
 */
export interface Signal {
  /** The request's nesting in OTLP/JSON, outermost first. */
  jsonPath: readonly [string, string, string];
  /** The partialSuccess field that counts refused items. */
  rejectedField: string;
  noun: string;
}

export const SIGNALS = {
  logs: {
    jsonPath: ['resourceLogs', 'scopeLogs', 'logRecords'],
    rejectedField: 'rejectedLogRecords',
    noun: 'log records',
  },
} as const satisfies Record<string, Signal>;

const PROTOBUF_PATH = [1, 2, 2];

export function countProtobufItems(body: Uint8Array): number {
  const r = newReader(body);
  return countAt(r, r.len, 0);
}

function countAt(r: Reader, end: number, depth: number): number {
  let n = 0;
  while (r.pos < end) {
    const tag = readTag(r);
    if (tag >>> 3 !== PROTOBUF_PATH[depth] || (tag & 7) !== WIRE_BYTES) {
      skipField(r, tag, end);
      continue;
    }
    const inner = lengthEnd(r, end);
    if (depth === PROTOBUF_PATH.length - 1) {
      n++;
      r.pos = inner;
    } else n += countAt(r, inner, depth + 1);
    checkEnd(r, inner, 'message');
  }
  return n;
}

export function countJsonItems(body: Buffer, signal: Signal): number {
  const root = parseBody(body);
  const [outer, middle, items] = signal.jsonPath;
  let n = 0;
  array(object(root, 'body')[outer], outer).forEach((resource, i) => {
    array(object(resource, `${outer}[${i}]`)[middle], `${outer}[${i}].${middle}`).forEach((scope, j) => {
      n += array(
        object(scope, `${outer}[${i}].${middle}[${j}]`)[items],
        `${outer}[${i}].${middle}[${j}].${items}`,
      ).length;
    });
  });
  return n;
}
