import {
  type Context,
  context,
  createTraceState,
  type HrTime,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type CallsResponse, type RedResponse, type ServicesResponse, serviceSeries } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { exact, lcg, sdkTestServer, singleRedPoint } from '../../../testing/otel-sdk.ts';
import { getJson } from '../../../testing/test-app.ts';

const ROUTES = ['/pay', '/cart', '/search'];

describe('the OpenTelemetry JS trace SDK exporting to /v1/traces', () => {
  const server = sdkTestServer();

  for (const encoding of ['json', 'protobuf'] as const) {
    for (const gzip of [false, true]) {
      const service = `traces-${encoding}-${gzip ? 'gzip' : 'plain'}`;
      it(`${service}: requests, errors and percentiles of SERVER spans exact; calls per peer`, async () => {
        const provider = tracing(server.base, service, encoding, gzip);
        const tracer = provider.getTracer('sdk.int.test');
        const random = lcg(service.length * 7919);
        const recorded: { ms: number; route: string; error: boolean }[] = [];
        // Spans of 40 s ago: 900 are two exports, and two exports of the last seconds would make it a service
        // sending in batches, whose last 6 s are read once every sender's batch for them can have come.
        const from = Date.now() - 40_000;
        for (let i = 0; i < 300; i++) {
          const ms = Math.round(Math.exp(random() * 7 - 1) * 1000) / 1000;
          const route = ROUTES[i % ROUTES.length]!;
          const roll = random();
          const status = roll < 0.05 ? 500 : roll < 0.15 ? 404 : 200;
          const failed = roll > 0.95; // status ERROR without a 5xx
          const start = from + i;
          const server = tracer.startSpan(`GET ${route}`, {
            kind: SpanKind.SERVER,
            startTime: hr(start),
            attributes: { 'http.route': route, 'http.response.status_code': status, 'http.request.method': 'GET' },
          });
          if (failed) server.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
          const inside = trace.setSpan(context.active(), server);
          // Neither an INTERNAL child nor a CLIENT span is a request; the CLIENT span is a call.
          tracer.startSpan('validate', { kind: SpanKind.INTERNAL, startTime: hr(start) }, inside).end(hr(start + 0.1));
          const call = tracer.startSpan(
            'POST',
            { kind: SpanKind.CLIENT, startTime: hr(start), attributes: { 'peer.service': 'payments' } },
            inside,
          );
          call.end(hr(start + ms / 2));
          server.end(hr(start + ms));
          recorded.push({ ms, route, error: status >= 500 || failed });
        }
        await provider.forceFlush();
        await provider.shutdown();
        expect(server.problems).toEqual([]);

        const range = `from=${from - 1000}&to=${Date.now() + 2000}&maxPoints=1`;
        const all = await singleRedPoint(server.app, `service=${service}&${range}`);
        const errors = recorded.filter((r) => r.error).length;
        expect(all.count).toBe(recorded.length);
        expect(Math.round(all.count * all.errorRate)).toBe(errors);
        for (const q of [0.5, 0.95, 0.99] as const) {
          const want = exact(
            recorded.map((r) => r.ms),
            q,
          );
          expect(Math.abs(all.percentiles[q] / want - 1), `p${q * 100}`).toBeLessThan(0.01);
        }
        const byRoute = await getJson<RedResponse>(server.app, `/api/v1/red?service=${service}&${range}&groupBy=route`);
        for (const route of ROUTES) {
          const points = serviceSeries(byRoute.body).find((s) => s.route === route)!.points;
          expect(points.reduce((n, p) => n + p.count, 0)).toBe(recorded.filter((r) => r.route === route).length);
        }
        const calls = await getJson<{ series: { points: { value: number | null }[] }[] }>(
          server.app,
          `/api/v1/series?metric=pulseboard.span.calls.duration&service=${service}&stat=count&${range}`,
        );
        expect(calls.body.series[0]!.points.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(300);
        expect(await sourceOf(server.app, service)).toBe('sampled-traces');
      });
    }
  }

  it('scales spans by the sampling threshold in their tracestate', async () => {
    const service = 'traces-sampled';
    const provider = tracing(server.base, service, 'protobuf', false);
    const tracer = provider.getTracer('sdk.int.test');
    const from = Date.now() - 5000;
    // A caller that kept a quarter of its traces: th:c rejects 75 % (OpenTelemetry probability sampling).
    const parent = remoteParent('ot=th:c');
    for (let i = 0; i < 40; i++) {
      const span = tracer.startSpan('GET /x', { kind: SpanKind.SERVER, startTime: hr(from + i) }, parent);
      if (i < 4) span.setAttribute('http.response.status_code', 503);
      span.end(hr(from + i + 10));
    }
    await provider.forceFlush();
    await provider.shutdown();
    expect(server.problems).toEqual([]);
    const all = await singleRedPoint(
      server.app,
      `service=${service}&from=${from - 1000}&to=${Date.now() + 2000}&maxPoints=1`,
    );
    expect(all.count).toBe(160);
    expect(all.errorRate).toBeCloseTo(0.1, 6);
    expect(await sourceOf(server.app, service)).toBe('traces');
  });

  it('counts a service that sends request metrics and spans once: its metrics win', async () => {
    const service = 'traces-and-metrics';
    const meters = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter({ url: `${server.base}/v1/metrics` }),
          exportIntervalMillis: 3_600_000,
        }),
      ],
    });
    const duration = meters.getMeter('sdk.int.test').createHistogram('http.server.request.duration', { unit: 's' });
    const provider = tracing(server.base, service, 'json', false);
    const tracer = provider.getTracer('sdk.int.test');
    const from = Date.now() - 5000;
    const serve = (n: number) => {
      for (let i = 0; i < n; i++) {
        duration.record(0.01, { 'http.route': '/x', 'http.response.status_code': 200 });
        tracer.startSpan('GET /x', { kind: SpanKind.SERVER, startTime: hr(from + i) }).end(hr(from + i + 10));
      }
    };
    serve(100);
    await meters.forceFlush();
    await provider.forceFlush();
    serve(20);
    await provider.forceFlush();
    await meters.forceFlush();
    await Promise.all([meters.shutdown(), provider.shutdown()]);
    expect(server.problems).toEqual([]);
    const all = await singleRedPoint(
      server.app,
      `service=${service}&from=${from - 1000}&to=${Date.now() + 2000}&maxPoints=1`,
    );
    expect(all.count).toBe(120);
    expect(await sourceOf(server.app, service)).toBe('metrics');
  });
});

describe('two services exporting their own spans as zero-code HTTP instrumentation writes them', () => {
  // One decode worker: each worker learns the addresses services answer at from the exports it folds.
  const server = sdkTestServer({ ingestWorkers: 1 });

  it('counts the calls between them under the called service, not the address called, once', async () => {
    const shop = tracing(server.base, 'zc-shop', 'protobuf', false);
    const stock = tracing(server.base, 'zc-stock', 'protobuf', false);
    // What they write: the client the address and port it called, the server the host and port asked for.
    const address = { 'server.address': '127.0.0.1', 'server.port': 4001 };
    const [shopTracer, stockTracer] = [shop.getTracer('t'), stock.getTracer('t')];
    const from = Date.now() - 40_000;
    for (let i = 0; i < 50; i++) {
      const start = from + i * 10;
      const status = i % 10 === 0 ? 503 : 200;
      const request = shopTracer.startSpan('GET /buy/:id', {
        kind: SpanKind.SERVER,
        startTime: hr(start),
        attributes: { 'http.route': '/buy/:id', 'server.address': 'localhost', 'server.port': 4000 },
      });
      const call = shopTracer.startSpan(
        'GET',
        {
          kind: SpanKind.CLIENT,
          startTime: hr(start + 1),
          attributes: { ...address, 'http.response.status_code': status },
        },
        trace.setSpan(context.active(), request),
      );
      stockTracer
        .startSpan(
          'GET /stock/:id',
          { kind: SpanKind.SERVER, startTime: hr(start + 2), attributes: { ...address, 'http.route': '/stock/:id' } },
          trace.setSpan(context.active(), call),
        )
        .end(hr(start + 5));
      call.end(hr(start + 6));
      request.end(hr(start + 8));
    }
    // The called service's export is in first (had the caller's come first, its calls would be to 127.0.0.1).
    await stock.forceFlush();
    await shop.forceFlush();
    await Promise.all([stock.shutdown(), shop.shutdown()]);
    expect(server.problems).toEqual([]);

    const range = `from=${from - 1000}&to=${Date.now() + 2000}`;
    const edges = async (service: string, side: 'downstream' | 'upstream') => {
      const { body } = await getJson<CallsResponse>(server.app, `/api/v1/calls?service=${service}&${range}`);
      return body[side].map((edge) => [edge.service, edge.count, edge.errorRate]);
    };
    expect(await edges('zc-shop', 'downstream')).toEqual([['zc-stock', 50, 0.1]]);
    expect(await edges('zc-stock', 'upstream')).toEqual([['zc-shop', 50, 0.1]]);
  });
});

function tracing(base: string, service: string, encoding: 'json' | 'protobuf', gzip: boolean) {
  const options = {
    url: `${base}/v1/traces`,
    compression: gzip ? ('gzip' as never) : ('none' as never),
    // The default 10 s can pass while a loaded machine starts the server's decode worker from sources.
    timeoutMillis: 60_000,
  };
  const exporter = encoding === 'json' ? new JsonExporter(options) : new ProtobufExporter(options);
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    // Exports happen on forceFlush only: the delay is longer than the test.
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: 3_600_000,
        exportTimeoutMillis: 60_000,
        maxQueueSize: 10_000,
      }),
    ],
  });
}

/** A context whose (remote, sampled) parent carries `traceState`, which its children inherit. */
function remoteParent(traceState: string): Context {
  return trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState(traceState),
  });
}

/** Epoch ms (with a fraction) as the SDK's [seconds, nanoseconds]. */
function hr(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

async function sourceOf(app: FastifyInstance, service: string) {
  const { body } = await getJson<ServicesResponse>(app, '/api/v1/services');
  return body.services.find((s) => s.name === service)?.redSource;
}
