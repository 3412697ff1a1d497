import {
  HealthResponseSchema,
  MetricsResponseSchema,
  OverviewQuerySchema,
  OverviewResponseSchema,
  RangeQuerySchema,
  RedQuerySchema,
  RedResponseSchema,
  SeriesQuerySchema,
  SeriesResponseSchema,
  ServicesResponseSchema,
} from '@pulseboard/shared';
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { Core } from '../core.ts';
import { badRequest, notFound } from '../errors.ts';
import { queryHealth } from './health.ts';
import { queryOverview } from './overview.ts';
import { parseFlag, parseMaxPoints, parseRange, parseServices } from './params.ts';
import { queryRed } from './red.ts';
import { listMetrics, querySeries } from './series.ts';

type Query = Record<string, string | string[] | undefined>;
const single = (value: string | string[] | undefined, name: string): string | undefined => {
  if (Array.isArray(value)) throw badRequest(`${name}: give it once`);
  return value;
};

/** Read routes: they only translate HTTP to the query functions beside them. */
export const queryPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const ctx = core.query;
  const range = (q: Query) => parseRange({ from: single(q.from, 'from'), to: single(q.to, 'to') }, core.now());
  const tags = ['read'];

  app.get('/api/v1/services', { schema: { tags, response: { 200: ServicesResponseSchema } } }, async () => {
    const now = core.now();
    return {
      services: core.store.services().map((s) => ({
        name: s.name,
        lastSeen: s.lastSeen,
        active: now - s.lastSeen <= core.config.inactiveAfterMs,
      })),
    };
  });

  app.delete(
    '/api/v1/services/:name',
    { schema: { tags, params: Type.Object({ name: Type.String() }) } },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      core.aggregator.flush();
      if (!core.store.deleteService(name)) throw notFound(`name: no service called ${name}`);
      core.registry.forgetService(name);
      core.bus.publish('serviceDeleted', { name });
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/metrics',
    {
      schema: {
        tags,
        querystring: Type.Object({ service: Type.String({ minLength: 1 }) }),
        response: { 200: MetricsResponseSchema },
      },
    },
    async (request) => listMetrics(ctx, (request.query as { service: string }).service),
  );

  app.get(
    '/api/v1/red',
    { schema: { tags, querystring: RedQuerySchema, response: { 200: RedResponseSchema } } },
    async (request) => {
      const q = request.query as Query;
      return queryRed(ctx, {
        ...range(q),
        services: parseServices(q.service),
        maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')),
        byRoute: q.groupBy === 'route',
        total: parseFlag(single(q.total, 'total'), 'total'),
      });
    },
  );

  app.get(
    '/api/v1/overview',
    { schema: { tags, querystring: OverviewQuerySchema, response: { 200: OverviewResponseSchema } } },
    async (request) => {
      const q = request.query as Query;
      return queryOverview(ctx, { ...range(q), services: parseServices(q.service) });
    },
  );

  app.get(
    '/api/v1/health',
    { schema: { tags, querystring: RangeQuerySchema, response: { 200: HealthResponseSchema } } },
    async (request) => {
      const q = request.query as Query;
      return queryHealth(ctx, { ...range(q), maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')) });
    },
  );

  app.get(
    '/api/v1/series',
    { schema: { tags, querystring: SeriesQuerySchema, response: { 200: SeriesResponseSchema } } },
    async (request) => {
      const q = request.query as Query;
      const attributes: Record<string, string> = {};
      for (const [key, value] of Object.entries(q)) {
        if (key.startsWith('attr.') && value !== undefined) attributes[key.slice(5)] = single(value, key)!;
      }
      return querySeries(ctx, {
        ...range(q),
        metric: single(q.metric, 'metric')!,
        services: parseServices(q.service),
        stat: single(q.stat, 'stat'),
        maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')),
        attributes,
      });
    },
  );
};
