import { ErrorBodySchema } from '@pulseboard/shared';
import type { FastifySchema } from 'fastify';
import Type, { type TSchema } from 'typebox';

/** google.rpc.Status: how OTLP routes (`/v1/*`) answer an error, in the request's encoding. */
const RpcStatusSchema = Type.Object({
  code: Type.Integer({ description: 'google.rpc.Code' }),
  message: Type.String(),
});

const errorResponses = (body: TSchema) => ({
  '4XX': {
    ...body,
    description:
      'Refused: bad input (400 names the field), missing or wrong key (401/403), unknown resource (404), body too large (413), unsupported content type (415), rate limit (429, with Retry-After)',
  },
  '5XX': { ...body, description: 'Overloaded, not ready or disk full (503, with Retry-After), or an internal error' },
});

interface RouteDoc {
  schema: FastifySchema & { hide?: boolean };
  url: string;
}

/**
 * @fastify/swagger `transform`: adds the error answers to every documented route. Documentation only: the
 * routes' own schemas (and so their serialisation) stay as they are.
 */
export function documentErrors({ schema, url }: RouteDoc): RouteDoc {
  if (!schema || schema.hide) return { schema, url };
  const errors = errorResponses(url.startsWith('/v1/') ? RpcStatusSchema : ErrorBodySchema);
  return { url, schema: { ...schema, response: { ...errors, ...(schema.response as object | undefined) } } };
}
