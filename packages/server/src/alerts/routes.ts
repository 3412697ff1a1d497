import {
  AckInputSchema,
  ALERT_STATES,
  AlertSchema,
  type AlertState,
  AlertsQuerySchema,
  AlertsResponseSchema,
  RuleInputSchema,
  RuleSchema,
  RulesResponseSchema,
  SilenceInputSchema,
  SilenceSchema,
  SilencesResponseSchema,
  schemaProblem,
} from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import Type, { type Static, type TSchema } from 'typebox';
import { actorName } from '../auth/identity.ts';
import { badRequest } from '../errors.ts';
import type { AlertService } from './alert-service.ts';

const IdParams = Type.Object({ id: Type.String() });
/**
 * Bodies are checked by hand (`schemaProblem`, `checkRule`) so a 400 names the field in the contract's words;
 * the schemas stay on the routes for the OpenAPI page only.
 */
const documentOnly = { validatorCompiler: () => () => true };

/** `/api/v1/alerts`, `/api/v1/rules`, `/api/v1/silences`: HTTP translated to the alert service. */
export function registerAlertRoutes(app: FastifyInstance, alerts: AlertService): void {
  const tags = ['alerts'];

  app.get(
    '/api/v1/alerts',
    // The query is parsed by hand (parseStates, parseLimit); the schema documents it with its real types.
    { ...documentOnly, schema: { tags, querystring: AlertsQuerySchema, response: { 200: AlertsResponseSchema } } },
    async (request) => {
      const q = request.query as { state?: string; limit?: string };
      return { alerts: await alerts.alerts(parseStates(q.state), parseLimit(q.limit)) };
    },
  );
  app.get(
    '/api/v1/alerts/:id',
    { schema: { tags, params: IdParams, response: { 200: AlertSchema } } },
    async (request) => alerts.alert((request.params as { id: string }).id),
  );
  app.post(
    '/api/v1/alerts/:id/ack',
    { ...documentOnly, schema: { tags, params: IdParams, body: AckInputSchema, response: { 200: AlertSchema } } },
    async (request) => {
      const body = checked(AckInputSchema, request.body);
      return alerts.acknowledge((request.params as { id: string }).id, actorName(request.principal, body.by)!);
    },
  );

  app.get('/api/v1/rules', { schema: { tags, response: { 200: RulesResponseSchema } } }, async () => ({
    rules: alerts.rulesWithState(),
  }));
  app.post(
    '/api/v1/rules',
    { ...documentOnly, schema: { tags, body: RuleInputSchema, response: { 201: RuleSchema } } },
    async (request, reply) => reply.code(201).send(await alerts.rules.create(request.body)),
  );
  app.get('/api/v1/rules/:id', { schema: { tags, params: IdParams, response: { 200: RuleSchema } } }, async (request) =>
    alerts.rules.get((request.params as { id: string }).id),
  );
  app.put(
    '/api/v1/rules/:id',
    { ...documentOnly, schema: { tags, params: IdParams, body: RuleInputSchema, response: { 200: RuleSchema } } },
    async (request) => alerts.rules.replace((request.params as { id: string }).id, request.body),
  );
  app.delete('/api/v1/rules/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await alerts.rules.remove((request.params as { id: string }).id);
    return reply.code(204).send();
  });

  app.get('/api/v1/silences', { schema: { tags, response: { 200: SilencesResponseSchema } } }, async () => ({
    silences: await alerts.silences(),
  }));
  app.post(
    '/api/v1/silences',
    { ...documentOnly, schema: { tags, body: SilenceInputSchema, response: { 201: SilenceSchema } } },
    async (request, reply) => {
      const input = checked(SilenceInputSchema, request.body);
      const createdBy = actorName(request.principal, input.createdBy);
      const silence = await alerts.addSilence({ ...input, ...(createdBy !== undefined ? { createdBy } : {}) });
      return reply.code(201).send(silence);
    },
  );
  app.delete('/api/v1/silences/:id', { schema: { tags, params: IdParams } }, async (request, reply) => {
    await alerts.removeSilence((request.params as { id: string }).id);
    return reply.code(204).send();
  });
}

function checked<T extends TSchema>(schema: T, body: unknown): Static<T> {
  const problem = schemaProblem(schema, body ?? null, '');
  if (problem) throw badRequest(`${problem.field}: ${problem.message}`);
  return body as Static<T>;
}

function parseStates(text: string | undefined): AlertState[] {
  if (text === undefined || text === 'firing') return ['firing'];
  if (text === 'all') return [...ALERT_STATES];
  if ((ALERT_STATES as readonly string[]).includes(text)) return [text as AlertState];
  throw badRequest(`state: must be firing, pending, resolved or all (got "${text}")`);
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 100;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 1000) throw badRequest(`limit: must be a whole number from 1 to 1000`);
  return n;
}
