import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAlive, FUZZ_SEED, storedSnapshot } from '../../testing/fuzz.ts';
import { startTestApp } from '../../testing/test-app.ts';
import { encodeOtlpProtobuf, readResponse, readStatus } from './test-encoder.ts';

// Property-based fuzz of OTLP ingest (issue 11): mutated real exports and arbitrary JSON, in both encodings,
// gzip or not, get 200 (maybe partialSuccess) or a 4xx google.rpc.Status; never a 5xx.
const NOW = 1_795_881_944_000; // just after the testdata samples were captured
const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
const nanos = (ms: number) => `${ms}000000`;

const sample = (name: string) => JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'testdata', name), 'utf8'));
const METRICS = ['metrics-delta-1.json', 'metrics-cumulative.json', 'metrics-exphist-advice-int.json'].map(sample);
const TRACES = [
  {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [
          {
            spans: [0, 1, 2].map((i) => ({
              traceId: '5b8efff798038103d269b633813fc60c',
              spanId: `eee19b7ec3c1b17${i}`,
              parentSpanId: i === 2 ? 'eee19b7ec3c1b170' : undefined,
              name: 'GET /x',
              kind: i === 1 ? 3 : 2,
              startTimeUnixNano: nanos(NOW - 1000 * i - 10),
              endTimeUnixNano: nanos(NOW - 1000 * i),
              attributes: [{ key: 'http.route', value: { stringValue: '/x' } }],
              status: { code: i },
            })),
          },
        ],
      },
    ],
  },
];

/** Byte edits of a real body: overwrite, insert, delete or truncate, a few at a time. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.nat({ max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(body: Buffer, edits: Mutation[]): Buffer {
  let out = Buffer.from(body);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.kind === 'set') out[at] = edit.byte;
    else if (edit.kind === 'insert') out = Buffer.concat([out.subarray(0, at), edit.bytes, out.subarray(at)]);
    else if (edit.kind === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
    else out = out.subarray(0, at);
  }
  return out;
}

function requestsFor(signal: 'metrics' | 'traces') {
  const samples = signal === 'metrics' ? METRICS : TRACES;
  const message = signal === 'metrics' ? 'ExportMetricsServiceRequest' : 'ExportTraceServiceRequest';
  const mutated = fc
    .tuple(fc.constantFrom(...samples), fc.constantFrom(JSON_TYPE, PROTOBUF_TYPE), fc.array(mutation, { maxLength: 4 }))
    .map(([request, type, edits]) => {
      const body = type === JSON_TYPE ? Buffer.from(JSON.stringify(request)) : encodeOtlpProtobuf(request, message);
      return { type, body: mutate(body, edits) };
    });
  // Arbitrary JSON and bytes, sent under either content type (JSON as protobuf and the reverse included).
  const arbitrary = fc.tuple(
    fc.oneof(
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc
        .jsonValue()
        .map((v) => Buffer.from(JSON.stringify({ [`resource${signal === 'metrics' ? 'Metrics' : 'Spans'}`]: v }))),
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
    ),
    fc.constantFrom(JSON_TYPE, PROTOBUF_TYPE),
  );
  return fc
    .tuple(
      fc.oneof(
        mutated,
        arbitrary.map(([body, type]) => ({ body, type })),
      ),
      fc.boolean(),
    )
    .map(([{ body, type }, gzip]) => ({ type, gzip, body: gzip ? zlib.gzipSync(body) : body }));
}

describe.each(['metrics', 'traces'] as const)('POST /v1/%s under fuzz', (signal) => {
  let app: Awaited<ReturnType<typeof startTestApp>>['app'];
  beforeAll(async () => {
    ({ app } = await startTestApp({ bodyLimitBytes: 64 * 1024 }, () => NOW));
  });
  afterAll(() => app.close());

  it('answers 200 or a 4xx google.rpc.Status, never 5xx, and a refused request stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(requestsFor(signal), async ({ type, gzip, body }) => {
        const before = await storedSnapshot(app);
        const headers: Record<string, string> = {
          'content-type': type,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        };
        const res = await app.inject({ method: 'POST', url: `/v1/${signal}`, headers, payload: body });
        const json = type === JSON_TYPE;
        if (res.statusCode === 200) {
          // An empty response or a partialSuccess, in the request's encoding.
          if (json) expect(res.json()).toBeTypeOf('object');
          else expect(() => readResponse(res.rawPayload)).not.toThrow();
          return;
        }
        expect([400, 413, 415]).toContain(res.statusCode);
        const status = json ? res.json() : readStatus(res.rawPayload);
        expect(status).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
        expect(status.code).toBeGreaterThan(0);
        expect(await storedSnapshot(app)).toEqual(before);
      }),
      { seed: FUZZ_SEED, numRuns: 250, endOnFailure: true },
    );
    await expectAlive(app);
  });
});
