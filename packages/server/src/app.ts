import { isUtf8 } from 'node:buffer';
import type { ErrorBody } from '@pulseboard/shared';
import Fastify, { type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import { alertsPlugin } from './alerts/plugin.ts';
import { Auth } from './auth/auth.ts';
import { installGuard } from './auth/guard.ts';
import { registerSessionRoutes } from './auth/session-routes.ts';
import { API_BODY_LIMIT_BYTES, type Config } from './config.ts';
import { type Core, closeCore, createCore } from './core.ts';
import { registerDocs } from './docs.ts';
import { installErrorHandler } from './error-handler.ts';
import { AppError } from './errors.ts';
import { nativeIngestPlugin } from './ingest/native/plugin.ts';
import { otlpPlugin } from './ingest/otlp/plugin.ts';
import { livePlugin } from './live/plugin.ts';
import { opsPlugin, timeRequests } from './ops.ts';
import { queryPlugin } from './query/plugin.ts';
import { deleteService } from './service-deletion.ts';
import { watchIdleHeap } from './startup-heap.ts';
import { materializePlugin } from './store/materialize-plugin.ts';
import { retentionPlugin } from './store/retention-plugin.ts';
import { seriesRefreshPlugin } from './store/series-refresh-plugin.ts';
import { installTextGuard } from './text-guard.ts';
import { webPlugin } from './web/plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    core: Core;
  }
}

export interface AppDeps {
  /** The clock every part reads; tests pin it. */
  now?: () => number;
  /** Where log lines go instead of stdout as JSON (main.ts: readable lines in a terminal). */
  logStream?: { write: (line: string) => void };
}

/** Builds the server without listening: `main.ts` listens, tests use `inject()` / `injectWS()`. */
export async function buildApp(config: Readonly<Config>, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel, ...(deps.logStream && { stream: deps.logStream }) },
    // For bodies Fastify parses itself (rules, silences, a session, and any POST to an unknown URL, whose
    // body it parses before answering 404): JSON.parse runs on the main thread, and 15 MB of `{}` held it
    // for ~4 s. Ingest reads its bodies with its own parsers, under --body-limit, in the decode workers.
    bodyLimit: API_BODY_LIMIT_BYTES,
    // A path parameter holds a service name (up to 256 characters, `DELETE /api/v1/services/:name`); Fastify's
    // default of 100 answered 414 for longer ones.
    routerOptions: { maxParamLength: 1024 },
    // Exporters and the bench keep connections open between batches.
    keepAliveTimeout: 65_000,
    // A client that trickles its headers or body is cut off (408) instead of holding a socket and its body
    // bytes for good. Node checks these every connectionsCheckingInterval (30 s by default; 1 s here).
    requestTimeout: config.requestTimeoutMs,
    // Only these proxies' X-Forwarded-For is believed (request.ip, the throttle's key): a client elsewhere
    // could otherwise name any address and dodge the wrong-key throttle.
    ...(config.trustProxy.length > 0 ? { trustProxy: [...config.trustProxy] } : {}),
    http: {
      headersTimeout: Math.min(10_000, config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs),
    },
    // Per-request log lines would cost more than ingesting the request; /metrics has the counts and times.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: false } },
    // A URL Fastify cannot decode (bad percent-encoding) is a 400 in the catalogue's shape like any other.
    frameworkErrors: (error, _request, reply) => {
      const body: ErrorBody = { code: 'PULSE_ERR_VALIDATION', message: `url: ${error.message}` };
      void (reply as FastifyReply).code(400).send(body);
    },
  });
  const core = await createCore(config, deps.now ?? Date.now, app.log);
  app.decorate('core', core);
  if (config.redis) {
    try {
      // Loaded only for a cluster: the Redis client is ~2.3 MiB of heap a single instance would hold idle.
      const { connectCluster } = await import('./bus/redis-cluster.ts');
      core.cluster = await connectCluster({
        url: config.redis,
        prefix: config.redisPrefix,
        frameWaitMs: config.redisFrameWaitMs,
        local: core.bus,
        // A store shared with the other instances has lost the service's data already.
        forgetService: async (name) => void (await deleteService(core, name, { inStore: !core.store.sharedSeries })),
        heardCommit: ({ reported, seen }) => {
          const at = core.now();
          core.intervals.note(reported, at);
          core.intervals.seen(seen, at);
        },
        registry: core.metrics.registry,
        log: app.log,
      });
    } catch (error) {
      await closeCore(core);
      throw error;
    }
    core.bus = core.cluster.bus;
  }
  closeConnectionsWhenDone(app);
  // Registered first so it runs last: every plugin has stopped writing before the store closes.
  app.addHook('onClose', async () => closeCore(core));
  installErrorHandler(app, core);
  timeRequests(app, core);
  // Every body this API takes is JSON (OTLP adds protobuf); anything else is a 415, not a string.
  app.removeContentTypeParser('text/plain');
  checkApiBodies(app);
  // Before any plugin: root hooks reach only the plugins registered after them.
  const auth = new Auth({ keys: config.keys, now: core.now, metrics: core.metrics, shared: core.cluster?.sessions });
  installGuard(app, core, auth);
  installTextGuard(app);
  watchIdleHeap(app, core);

  // Before the routes it documents; Swagger and its UI load on the first /docs request.
  registerDocs(app);
  registerSessionRoutes(app, auth);
  await app.register(opsPlugin, { core });
  await app.register(retentionPlugin, { core });
  await app.register(materializePlugin, { core });
  await app.register(seriesRefreshPlugin, { core });
  await app.register(nativeIngestPlugin, { core });
  await app.register(otlpPlugin, { core });
  await app.register(queryPlugin, { core });
  await app.register(livePlugin, { core });
  await app.register(alertsPlugin, { core });
  await app.register(webPlugin, { core });
  // Loaded only when on, so a production server never loads the generator.
  if (config.demo) await app.register((await import('./demo/plugin.ts')).demoPlugin, { core });
  return app;
}

/**
 * Shutting down waits for every open connection to end. Connections idle at that moment are closed, but one
 * whose request is still being handled (an exporter's last flush, sent as its own process stops) went back
 * to idle keep-alive afterwards and held the process for the 65 s keep-alive timeout. From the start of
 * shutdown every response says `Connection: close`, so each such connection ends with its answer.
 */
function closeConnectionsWhenDone(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

/**
 * JSON bodies of the routes other than ingest (whose own parsers replace this one): uncompressed, UTF-8. Only
 * ingest reads compressed bodies; elsewhere a gzip body was parsed as JSON as it came and refused as "not
 * valid JSON", which sent the sender looking in the wrong place.
 */
function checkApiBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      const message = `content-encoding: ${encoding} is accepted only by the ingest routes; send this body uncompressed`;
      done(new AppError('PULSE_ERR_UNSUPPORTED_MEDIA_TYPE', message), undefined);
      return;
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    // Read as a string, a byte that is not UTF-8 became U+FFFD: a rule was stored under a name its sender
    // never wrote.
    if (!isUtf8(bytes)) {
      done(new AppError('PULSE_ERR_INVALID_TEXT', 'body: not valid UTF-8 (JSON text is UTF-8)'), undefined);
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
}
