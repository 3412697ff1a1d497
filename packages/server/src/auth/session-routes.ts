import { type Session, SessionInputSchema, SessionSchema, schemaProblem } from '@pulseboard/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../errors.ts';
import type { Auth } from './auth.ts';
import { readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import { addressOf } from './guard.ts';

const PATH = '/api/v1/session';

/**
 * Secure when the browser's page is https: served over TLS, or behind a TLS proxy saying so. The header is
 * trusted without `trustProxy` because all a client can do with it is mark its own cookie https-only.
 */
const secure = (request: FastifyRequest) =>
  request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
/** The body is checked by hand so a 400 names the field; the schema stays for the OpenAPI page. */
const documentOnly = { validatorCompiler: () => () => true };

/**
 * The page's login: `GET` says whether keys are on and what this browser may do, `POST {"key"}` opens a
 * session (HttpOnly cookie), `DELETE` ends it. Public routes (access.ts): they work before logging in.
 */
export function registerSessionRoutes(app: FastifyInstance, auth: Auth): void {
  const tags = ['session'];
  const answer = (session: Session['role'], label: string | null): Session => ({
    auth: auth.enabled,
    role: auth.enabled ? session : 'admin',
    ...(label ? { label } : {}),
  });

  app.get(
    PATH,
    { schema: { tags, summary: 'Keys on or off, and this request\u2019s role', response: { 200: SessionSchema } } },
    async (request) => answer(request.principal?.role ?? null, request.principal?.label ?? null),
  );

  app.post(
    PATH,
    {
      ...documentOnly,
      schema: {
        tags,
        summary: 'Log in with a read or admin key',
        body: SessionInputSchema,
        response: { 200: SessionSchema },
      },
    },
    async (request, reply) => {
      const problem = schemaProblem(SessionInputSchema, request.body ?? null, '');
      if (problem) throw badRequest(`${problem.field}: ${problem.message}`);
      if (!auth.enabled) return answer('admin', null);
      const { key } = request.body as { key: string };
      const session = await auth.login(key, addressOf(request));
      reply.header('set-cookie', sessionCookie(session.id, session.maxAgeSeconds, secure(request)));
      return answer(session.principal.role, session.principal.label);
    },
  );

  app.delete(
    PATH,
    { schema: { tags, summary: 'Log out: ends the session and clears its cookie' } },
    async (request, reply) => {
      const id = readCookie(request.headers.cookie, SESSION_COOKIE);
      if (id !== null) await auth.endSession(id);
      return reply
        .header('set-cookie', sessionCookie('', 0, secure(request)))
        .code(204)
        .send();
    },
  );
}
