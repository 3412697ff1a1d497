import type { ErrorCode } from '@pulseboard/shared';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type Core, foldContext } from '../../core.ts';
import { AppError, LimitError } from '../../errors.ts';
import { runPeriodically } from '../../store/periodic.ts';
import { bodyOptions, readBody } from '../body.ts';
import { ENCODINGS, encodingOf, type OtlpEncoding } from './encodings.ts';
import { OtlpIngest } from './ingest.ts';
import { SIGNALS } from './signals.ts';
import { TraceIngest } from './traces/ingest.ts';

/** gRPC status codes for the google.rpc.Status bodies, by HTTP status (the OTLP/HTTP mapping). */
const GRPC_CODES: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 8, // RESOURCE_EXHAUSTED
  415: 3,
  429: 8,
  500: 13, // INTERNAL
  503: 14, // UNAVAILABLE
};

const HOUR_MS = 3_600_000;
/**
 * How long a cumulative series' last point is kept after it goes silent. An SDK exports every series it
 * has seen on each cycle, so a silent series almost always belongs to a process that stopped, and its
 * successor starts afresh with a new start time anyway. The exception is a live process cut off from the
 * server for longer than this: its next point counts as a first point (like the OpenTelemetry Collector's
 * cumulativetodelta processor with max_staleness set).
 */
const CUMULATIVE_STATE_TTL_MS = 24 * HOUR_MS;

const UNSUPPORTED = `content-type must be ${Object.keys(ENCODINGS).join(' or ')}`;

/**
 * OTLP/HTTP: `POST /v1/metrics` and `/v1/traces` (spans become RED and call observations, see traces/) in
 * JSON or protobuf, gzip or not, answered in the request's encoding; `/v1/logs` refuses everything
 * politely. Encapsulated: its body parsers (raw bytes, inflated under the body limit) and its error handler
 * (google.rpc.Status instead of `{code, message}`) apply to these routes only.
 */
export const otlpPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const onLimit = (error: LimitError) => core.metrics.limitRefusals.inc({ limit: error.limit });
  const ingest = new OtlpIngest({ ...core, context: () => foldContext(core), onLimit });
  const traces = new TraceIngest({ ...core, context: () => foldContext(core), onLimit });
  const unsubscribe = core.bus.subscribe('serviceDeleted', ({ name }) => ingest.forgetService(name));
  app.addHook('onClose', async () => unsubscribe());
  runPeriodically(app, 'forgetting silent cumulative series', HOUR_MS, async () => {
    const forgotten = await ingest.forgetStale(core.now() - CUMULATIVE_STATE_TTL_MS);
    if (forgotten > 0) app.log.info({ forgotten }, 'forgot the cumulative state of silent OTLP series');
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(Object.keys(ENCODINGS), (request, payload, done) => {
    readBody(payload, bodyOptions(core, request)).then(
      (body) => done(null, body),
      (error: Error) => done(error, undefined),
    );
  });
  core.bodies.releaseOnResponse(app);
  core.arrivals.track(app);

  app.setErrorHandler((thrown: FastifyError | AppError, request, reply) => {
    // A full disk is 503 UNAVAILABLE, which the OTLP/HTTP spec has exporters retry (500 they drop).
    const error = core.diskFull.check(thrown) ?? thrown;
    const { status, code, message } = describe(error);
    if (status >= 500 && !(error instanceof AppError)) request.log.error({ err: error }, 'OTLP request failed');
    core.metrics.rejected.inc({ code });
    if (error instanceof LimitError) core.metrics.limitRefusals.inc({ limit: error.limit });
    if (error instanceof AppError) reply.headers(error.headers);
    // Exporters retry 429/503 after Retry-After; give them one even when the cause did not.
    if ((status === 503 || status === 429) && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    const encoding = encodingOf(request.headers['content-type']) ?? ENCODINGS['application/json']!;
    return reply
      .code(status)
      .type(encoding.contentType)
      .send(encoding.status({ code: GRPC_CODES[status] ?? 2, message }));
  });

  const schema = (summary: string) => ({ schema: { tags: ['ingest'], summary } });

  app.post('/v1/metrics', schema('OTLP/HTTP metrics (JSON or protobuf, gzip or not)'), async (request, reply) => {
    const encoding = requestEncoding(request);
    const result = await ingest.ingest(body(request), encoding.contentType);
    const partial = result.rejected > 0 ? { rejected: result.rejected, message: result.message } : null;
    if (partial) core.metrics.otlpRejected.inc({ signal: 'metrics' }, partial.rejected);
    return send(reply, encoding, encoding.response('rejectedDataPoints', partial));
  });

  app.post(
    '/v1/traces',
    schema('OTLP/HTTP traces (JSON or protobuf, gzip or not): spans become RED and call observations'),
    async (request, reply) => {
      const encoding = requestEncoding(request);
      const result = await traces.ingest(body(request), encoding.contentType);
      const partial = result.rejected > 0 ? { rejected: result.rejected, message: result.message } : null;
      if (partial) core.metrics.otlpRejected.inc({ signal: 'traces' }, partial.rejected);
      return send(reply, encoding, encoding.response('rejectedSpans', partial));
    },
  );

  const logs = SIGNALS.logs;
  app.post('/v1/logs', schema('OTLP/HTTP logs: not stored, refused with partialSuccess'), async (request, reply) => {
    const encoding = requestEncoding(request);
    const rejected = await core.decoders.countLogs(body(request), encoding.contentType);
    const message = `Pulseboard stores metrics only; ${rejected} ${logs.noun} dropped. Send them to a logging backend.`;
    return send(reply, encoding, encoding.response(logs.rejectedField, { rejected, message }));
  });
};

function requestEncoding(request: FastifyRequest): OtlpEncoding {
  const encoding = encodingOf(request.headers['content-type']);
  if (!encoding) throw new AppError('PULSE_ERR_UNSUPPORTED_MEDIA_TYPE', UNSUPPORTED);
  return encoding;
}

/** The raw body the parser read; a POST without one is an empty request (valid in protobuf, not in JSON). */
function body(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

function send(reply: FastifyReply, encoding: OtlpEncoding, payload: Buffer | string) {
  return reply.code(200).type(encoding.contentType).send(payload);
}

function describe(error: FastifyError | AppError): { status: number; code: ErrorCode; message: string } {
  if (error instanceof AppError) return { status: error.statusCode, code: error.code, message: error.message };
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: 'PULSE_ERR_UNSUPPORTED_MEDIA_TYPE', message: UNSUPPORTED };
  }
  const status = error.statusCode ?? 500;
  if (status < 500) return { status, code: 'PULSE_ERR_VALIDATION', message: error.message };
  return { status: 500, code: 'PULSE_ERR_INTERNAL', message: 'internal error; see the server log' };
}
