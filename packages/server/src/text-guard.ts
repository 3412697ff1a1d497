import type { ErrorCode } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { textIssue } from './aggregate/series-registry.ts';
import { AppError } from './errors.ts';

/** Nesting followed into a body: the API's bodies are flat objects with a list or two. */
const MAX_DEPTH = 8;

/**
 * Refuses, with 400 naming the field, text in a request's path, query or JSON body that no store can keep:
 * a NUL character (PostgreSQL's text refuses it: a service name in a query or a rule's service with one
 * answered 500, and a rule holding one failed every alert evaluation) or a lone surrogate (no Unicode text).
 * Ingest bodies are bytes here and are checked by their decoders, item by item.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    const problem =
      unstorable(request.params, '', 0) ?? unstorable(request.query, '', 0) ?? unstorable(request.body, '', 0);
    if (problem) throw new AppError(problem.code, `${problem.field}: ${problem.why}`);
  });
}

/** The first such text in `value` (named by its path from the top, `service` or `notify[0].url`), or null. */
function unstorable(
  value: unknown,
  field: string,
  depth: number,
): { code: ErrorCode; field: string; why: string } | null {
  if (typeof value === 'string') {
    const issue = textIssue(value, false);
    return issue ? { ...issue, field: field || 'body' } : null;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || Buffer.isBuffer(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${field}[${key}]` : field ? `${field}.${key}` : key;
    const problem = unstorable(key, at, depth) ?? unstorable(item, at, depth + 1);
    if (problem) return problem;
  }
  return null;
}
