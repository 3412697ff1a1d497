import {
  CallsQuerySchema,
  CallsResponseSchema,
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
import { AppError, badRequest, notFound } from '../errors.ts';
import { deleteService } from '../service-deletion.ts';
import { syncDirtyMarks } from '../store/upkeep.ts';
import { queryCalls } from './calls.ts';
import { queryHealth } from './health.ts';
import { queryOverview } from './overview.ts';
import { parseFlag, parseGroupBy, parseMaxPoints, parseRange, parseServices, required } from './params.ts';
import { queryRed } from './red.ts';
import { redSources } from './red-source.ts';
import { QueryScheduler, type QuerySteps } from './scheduler.ts';
import { listMetrics, querySeries } from './series.ts';

type Query = Record<string, string | string[] | undefined>;
/**
 * Every parameter of these routes is parsed by hand from the query text (params.ts), naming it in a 400; the
 * querystring schemas document them with their real types (a number, a flag), which the query text is not.
 */
const parsedByHand = { validatorCompiler: () => () => true };
/**
 * Answers of many points are written by JSON.stringify, not the serializer compiled from the response schema
 * (which stays, for the docs): that serializer built a day by route (50 series x 288 points, 1.3 MB) in ~40
 * ms against ~5 (docs/performance.md, 2026-12-05). The answers are objects built field by field here, so
 * nothing beyond the schema's fields can reach the client.
 */
const writtenNatively = { serializerCompiler: () => (data: unknown) => JSON.stringify(data) };
const single = (value: string | string[] | undefined, name: string): string | undefined => {
  if (Array.isArray(value)) throw badRequest(`${name}: give it once`);
  return value;
};

/** A heavy read gives the event loop back after this much work: a health check waits at most about this long. */
const SLICE_MS = 10;
/** Rows plus points from which a read is heavy: it queues for its turn and yields. The dashboard's usual reads
 * (a few services over a day at chart width) stay below it and run at once. */
const HEAVY_COST = 20_000;

/** Read routes: they only translate HTTP to the query functions beside them. */
export const queryPlugin: FastifyPluginAsync<{ core: Core }> = async (app, { core }) => {
  const ctx = core.query;
  const scheduler = new QueryScheduler({
    maxRunning: 1,
    maxQueued: core.config.queryQueue,
    sliceMs: SLICE_MS,
    heavyCost: HEAVY_COST,
    onRefused: () => core.metrics.queriesRefused.inc({ reason: 'busy' }),
  });
  const answer = async <T>(steps: QuerySteps<T>): Promise<T> => {
    try {
      // Where instances share the store, the marks other instances made since the last second's sync: a
      // read must not take a coarse bucket another instance has written under as rebuilt (the steps plan
      // their reads when they start, inside the scheduler).
      await syncDirtyMarks(core);
      return await scheduler.run(steps);
    } catch (error) {
      if (error instanceof AppError && error.code === 'PULSE_ERR_QUERY_TOO_LARGE') {
        core.metrics.queriesRefused.inc({ reason: 'too_large' });
      }
      throw error;
    }
  };
  const range = (q: Query) => parseRange({ from: single(q.from, 'from'), to: single(q.to, 'to') }, core.now());
  const tags = ['read'];

  app.get('/api/v1/services', { schema: { tags, response: { 200: ServicesResponseSchema } } }, async () => {
    const stored = await core.query.services.list();
    const now = core.now();
    const sources = redSources(core.registry.all());
    return {
      services: stored.map((s) => {
        const redSource = sources.get(s.name);
        return {
          name: s.name,
          lastSeen: s.lastSeen,
          active: now - s.lastSeen <= core.config.inactiveAfterMs,
          ...(redSource ? { redSource } : {}),
        };
      }),
    };
  });

  app.delete(
    '/api/v1/services/:name',
    { schema: { tags, params: Type.Object({ name: Type.String() }) } },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      if (!(await deleteService(core, name))) throw notFound(`name: no service called ${name}`);
      // In a cluster the other instances hear it too, and forget the service (see connectCluster).
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
    {
      ...parsedByHand,
      ...writtenNatively,
      schema: { tags, querystring: RedQuerySchema, response: { 200: RedResponseSchema } },
    },
    async (request) => {
      const q = request.query as Query;
      return answer(
        queryRed(ctx, {
          ...range(q),
          services: parseServices(q.service),
          maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')),
          byRoute: parseGroupBy(single(q.groupBy, 'groupBy')),
          total: parseFlag(single(q.total, 'total'), 'total'),
        }),
      );
    },
  );

  app.get(
    '/api/v1/overview',
    {
      ...parsedByHand,
      ...writtenNatively,
      schema: { tags, querystring: OverviewQuerySchema, response: { 200: OverviewResponseSchema } },
    },
    async (request) => {
      const q = request.query as Query;
      return answer(queryOverview(ctx, { ...range(q), services: parseServices(q.service) }));
    },
  );

  app.get(
    '/api/v1/health',
    {
      ...parsedByHand,
      ...writtenNatively,
      schema: { tags, querystring: RangeQuerySchema, response: { 200: HealthResponseSchema } },
    },
    async (request) => {
      const q = request.query as Query;
      return answer(queryHealth(ctx, { ...range(q), maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')) }));
    },
  );

  app.get(
    '/api/v1/calls',
    { ...parsedByHand, schema: { tags, querystring: CallsQuerySchema, response: { 200: CallsResponseSchema } } },
    async (request) => {
      const q = request.query as Query;
      const service = single(q.service, 'service');
      if (!service) throw badRequest('service: required, the service whose calls to list');
      return queryCalls(ctx, { ...range(q), service });
    },
  );

  app.get(
    '/api/v1/series',
    {
      ...parsedByHand,
      ...writtenNatively,
      schema: { tags, querystring: SeriesQuerySchema, response: { 200: SeriesResponseSchema } },
    },
    async (request) => {
      const q = request.query as Query;
      // No prototype: `attr.__proto__=x` is a filter like any other, not a write to the object's prototype.
      const attributes: Record<string, string> = Object.create(null);
      for (const [key, value] of Object.entries(q)) {
        if (key.startsWith('attr.') && value !== undefined) attributes[key.slice(5)] = single(value, key)!;
      }
      return answer(
        querySeries(ctx, {
          ...range(q),
          metric: required(single(q.metric, 'metric'), 'metric'),
          services: parseServices(q.service),
          stat: single(q.stat, 'stat'),
          maxPoints: parseMaxPoints(single(q.maxPoints, 'maxPoints')),
          attributes,
        }),
      );
    },
  );
};
