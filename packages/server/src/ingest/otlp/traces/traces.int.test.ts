import zlib from 'node:zlib';
import type { RedResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { overloaded } from '../../../errors.ts';
import { getJson, startTestApp } from '../../../testing/test-app.ts';
import { encodeOtlpProtobuf, expectRpcRefusals, JSON_TYPE, PROTOBUF_TYPE, readResponse } from '../test-encoder.ts';

const NOW = 1_795_881_944_000;
const nanos = (ms: number) => `${ms}000000`;

/** An OTLP/JSON trace export of one service's SERVER spans ending at `NOW - ago` ms. */
function exportOf(service: string, spans: { ago: number; ms?: number; route?: string; traceState?: string }[]) {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: spans.map(({ ago, ms = 10, route = '/x', traceState = 'ot=th:0' }) => ({
              name: `GET ${route}`,
              kind: 2,
              traceState,
              startTimeUnixNano: nanos(NOW - ago - ms),
              endTimeUnixNano: nanos(NOW - ago),
              attributes: [{ key: 'http.route', value: { stringValue: route } }],
            })),
          },
        ],
      },
    ],
  };
}

describe('POST /v1/traces', () => {
  it('stores the spans it can and refuses the rest with partialSuccess, in either encoding', async () => {
    const { app, count } = await setup();
    const request = exportOf('shop', [{ ago: 1000 }, { ago: 2000 }, { ago: -3_600_000 }, { ago: 401 * 86_400_000 }]);
    const json = await post(app, Buffer.from(JSON.stringify(request)), JSON_TYPE);
    expect(json.statusCode).toBe(200);
    expect(json.json().partialSuccess).toEqual({
      rejectedSpans: '2',
      errorMessage: expect.stringMatching(/^2 spans rejected: 1 more than 10 minutes ahead .*; 1 older than/),
    });
    const pb = await post(app, encodeOtlpProtobuf(request, 'ExportTraceServiceRequest'), PROTOBUF_TYPE);
    expect(readResponse(pb.rawPayload)).toMatchObject({ rejected: 2 });
    const gzip = await post(app, zlib.gzipSync(JSON.stringify(exportOf('shop', [{ ago: 3000 }]))), {
      ...JSON_TYPE,
      'content-encoding': 'gzip',
    });
    expect(gzip.body).toBe('{}');
    expect(await count(app, 'shop')).toBe(5);
  });

  it('answers a full success with an empty response, and spans without times as refused', async () => {
    const { app } = await setup();
    const ok = await post(
      app,
      encodeOtlpProtobuf(exportOf('shop', [{ ago: 10 }]), 'ExportTraceServiceRequest'),
      PROTOBUF_TYPE,
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.length).toBe(0);
    const timeless = { resourceSpans: [{ scopeSpans: [{ spans: [{}, {}] }, { spans: [{}] }] }] };
    const res = await post(app, Buffer.from(JSON.stringify(timeless)), JSON_TYPE);
    expect(res.json().partialSuccess).toEqual({
      rejectedSpans: '3',
      errorMessage: expect.stringContaining('without endTimeUnixNano, or with one in the first millisecond'),
    });
  });

  it('counts a span kept at the highest sampling threshold as 2^56 requests, and keeps serving', async () => {
    // th:ffffffffffffff once rounded to a count of Infinity, which crashed the server after the commit.
    const { app, count } = await setup();
    const sampled = exportOf('rare', [{ ago: 1000, traceState: 'ot=th:ffffffffffffff' }]);
    expect((await post(app, Buffer.from(JSON.stringify(sampled)), JSON_TYPE)).statusCode).toBe(200);
    expect(await count(app, 'rare')).toBe(2 ** 56);
    expect((await post(app, Buffer.from(JSON.stringify(exportOf('shop', [{ ago: 500 }]))), JSON_TYPE)).body).toBe('{}');
    expect(await count(app, 'shop')).toBe(1);
  });

  it('refuses a span that starts in 1970 instead of storing a request of 56 years', async () => {
    const { app, count } = await setup();
    const ancient = exportOf('shop', [{ ago: 1000, ms: NOW - 1000 - 1 }, { ago: 1000 }]);
    const res = await post(app, Buffer.from(JSON.stringify(ancient)), JSON_TYPE);
    expect(res.json().partialSuccess).toEqual({
      rejectedSpans: '1',
      errorMessage: expect.stringContaining('1 starting before the longest retention'),
    });
    expect(await count(app, 'shop')).toBe(1);
  });

  it('refuses the spans of a service past its series limit and stores the rest', async () => {
    const { app, count } = await setup({ maxSeriesPerService: 2 });
    const routes = ['/a', '/b', '/c'].map((route) => ({ ago: 1000, route }));
    const res = await post(app, Buffer.from(JSON.stringify(exportOf('shop', routes))), JSON_TYPE);
    expect(res.json().partialSuccess).toEqual({
      rejectedSpans: '1',
      errorMessage: expect.stringContaining('series limit'),
    });
    expect(await count(app, 'shop')).toBe(2);
  });

  it('answers bad bodies with google.rpc.Status and stores nothing', async () => {
    const { app } = await setup();
    await expectRpcRefusals(app, '/v1/traces', [
      ['truncated JSON', Buffer.from('{"resourceSpans":['), JSON_TYPE, 400],
      [
        'bad span id',
        Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ spanId: 'zz' }] }] }] })),
        JSON_TYPE,
        400,
      ],
      [
        'truncated protobuf',
        encodeOtlpProtobuf(exportOf('shop', [{ ago: 1 }]), 'ExportTraceServiceRequest').subarray(0, 30),
        PROTOBUF_TYPE,
        400,
      ],
      ['oversized', Buffer.from(JSON.stringify({ pad: 'x'.repeat(5000) })), JSON_TYPE, 413],
      ['text', Buffer.from('hello'), { 'content-type': 'text/plain' }, 415],
    ]);
    expect((await getJson<{ services: unknown[] }>(app, '/api/v1/services')).body.services).toEqual([]);
  });

  it('answers a body nested too deeply to decode with a 400 that says so', async () => {
    const { app } = await setup({ bodyLimitBytes: 1_000_000 });
    const deep = `{"resourceSpans":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const res = await post(app, Buffer.from(deep), JSON_TYPE);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('body: nested too deeply to decode');
  });

  it('answers 503 with Retry-After when the aggregator is overloaded', async () => {
    const { app, count } = await setup();
    const { aggregator } = app.core;
    const submit = aggregator.submitPacked.bind(aggregator);
    aggregator.submitPacked = () => Promise.reject(overloaded(2));
    const body = Buffer.from(JSON.stringify(exportOf('shop', [{ ago: 1000 }])));
    const busy = await post(app, body, JSON_TYPE);
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe('2');
    aggregator.submitPacked = submit;
    expect((await post(app, body, JSON_TYPE)).statusCode).toBe(200);
    expect(await count(app, 'shop')).toBe(1);
  });
});

function post(app: FastifyInstance, payload: Buffer, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/v1/traces', headers, payload });
}

async function setup(overrides: Parameters<typeof startTestApp>[0] = {}) {
  const { app } = await startTestApp({ bodyLimitBytes: 4096, ...overrides }, () => NOW);
  const count = async (server: FastifyInstance, service: string) => {
    const range = `from=${NOW - 3_600_000}&to=${NOW}&maxPoints=1`;
    const { body } = await getJson<RedResponse>(server, `/api/v1/red?service=${service}&${range}`);
    return body.series.flatMap((s) => s.points).reduce((n, p) => n + p.count, 0);
  };
  return { app, count };
}
