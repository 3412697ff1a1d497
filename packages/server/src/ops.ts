import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Core } from './core.ts';
import { AppError } from './errors.ts';

/** Liveness, readiness and the server's own metrics. */
export const opsPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const tags = ['operations'];
  app.get('/healthz', { schema: { tags, summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { schema: { tags, summary: 'Store open and start-up work (migrations, demo backfill) done' } },
    async () => {
      if (core.pendingStartup.size > 0) {
        throw new AppError('PULSE_ERR_NOT_READY', `still starting: ${[...core.pendingStartup].join(', ')}`, {
          'retry-after': '1',
        });
      }
      return { status: 'ready' };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags, summary: 'Prometheus text: the server\u2019s own health' } },
    async (_request, reply) => {
      core.metrics.rebuildBacklog.set(core.query.dirty.size);
      const text = await core.metrics.registry.metrics();
      return reply.type(core.metrics.registry.contentType).send(text);
    },
  );
};

/**
 * Times every request into `/metrics`. Called on the root instance: a hook added inside a plugin only sees
 * that plugin's routes (Fastify encapsulation), which is how it once timed only /healthz, /readyz and /metrics.
 */
export function timeRequests(app: FastifyInstance, core: Core): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    core.metrics.requestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
