import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  HTTPMethods,
  RouteOptions,
} from 'fastify';
import { VERSION } from './config.ts';
import { documentErrors } from './openapi.ts';

const OPENAPI = {
  info: {
    title: 'Pulseboard API',
    version: VERSION,
    description: 'Ingest, query and live stream of service metrics',
  },
};

/** What the OpenAPI document needs of a route. */
interface DocumentedRoute {
  method: HTTPMethods | HTTPMethods[];
  url: string;
  schema?: FastifySchema;
  config?: FastifyContextConfig;
}

/** Headers of the docs app's answer that belong to its own (injected) connection, not to the client's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);

/**
 * `/docs` (Swagger UI) and `/docs/json`, `/docs/yaml` (the OpenAPI document), loaded on their first request.
 * Registered at start, @fastify/swagger and @fastify/swagger-ui (with `yaml`, @fastify/static and their
 * compiled code) held ~2.2 MiB of heap and ~5 MiB resident in every server, though almost no server is ever
 * asked for its docs (docs/performance.md, 2026-12-04, "Idle memory with the demo on: fewer modules at start"). Here
 * the app only notes each route as it is added; the first `/docs` request builds a separate Fastify
 * instance holding the two plugins and the same routes (schemas and config, no handlers), and every `/docs`
 * request is answered from it through `inject`. Must be called before the routes it documents are added.
 */
export function registerDocs(app: FastifyInstance): void {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) return;
    routes.push({ method: route.method, url: route.url, schema: route.schema, config: route.config });
  });
  let docs: Promise<FastifyInstance> | undefined;
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    docs ??= buildDocsApp(routes).catch((error: unknown) => {
      docs = undefined;
      throw error;
    });
    const answer = await (await docs).inject({
      method: request.method as HTTPMethods,
      url: request.url,
      headers: request.headers,
    });
    // The app's own 404 (its body and headers), as before for a file Swagger UI does not have.
    if (answer.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };
  for (const url of ['/docs', '/docs/*'])
    app.route({ method: ['GET', 'HEAD'], url, schema: { hide: true }, handler: forward });
}

async function buildDocsApp(routes: readonly DocumentedRoute[]): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('fastify'),
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  // HEAD routes are among those noted (the app's own, added for each GET): not added again here.
  const docsApp = Fastify({ exposeHeadRoutes: false });
  // Nothing is validated or serialised here: the routes exist for their schemas only.
  docsApp.setValidatorCompiler(() => () => true);
  docsApp.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await docsApp.register(swagger, { transform: documentErrors, openapi: OPENAPI });
  await docsApp.register(swaggerUi, { routePrefix: '/docs' });
  // A request that matches one of them (`/docs/*` matching the page's `/*`) is not for the docs.
  const notDocs = (_request: FastifyRequest, reply: FastifyReply) => reply.callNotFound();
  for (const route of routes) docsApp.route({ ...route, handler: notDocs });
  await docsApp.ready();
  return docsApp;
}
