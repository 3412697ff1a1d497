import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Core } from '../core.ts';
import { allows, requiredAccess } from './access.ts';
import { type Auth, forbidden, roleRefusal, unauthorized } from './auth.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { securityHeaders } from './headers.ts';
import { hostAllowed, hostName, originAllowed } from './host-check.ts';
import type { Principal } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts as; null without keys configured, or on a public route without credentials. */
    principal: Principal | null;
  }
}

const LIVE_ROUTE = '/api/v1/live';
/** How often live sockets of expired sessions are looked for. */
const SWEEP_MS = 60_000;

/** The client address the throttle counts against (injected test requests have no socket). */
export const addressOf = (request: FastifyRequest) => request.ip ?? 'unknown';

/**
 * Root hooks, so they see every route (STYLE.md #19): the Host and live-socket Origin checks, keys and
 * sessions by route class, and security headers on every response. Errors thrown here go to the matched
 * route's error handler, so OTLP routes answer in google.rpc.Status like their other errors.
 */
export function installGuard(app: FastifyInstance, core: Core, auth: Auth): void {
  const { config } = core;
  const hostPolicy = { allowedHosts: config.allowedHosts, keysOn: auth.enabled };
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request) => {
    const { host, origin } = request.headers;
    if (!hostAllowed(host, hostPolicy)) {
      const name = hostName(host ?? '');
      throw forbidden(`Host: "${name}" is not a name of this server (DNS rebinding guard); add --allowed-host ${name}`);
    }
    const route = request.routeOptions.url;
    if (route === LIVE_ROUTE && !originAllowed(origin, host, config.allowedOrigins)) {
      throw forbidden(`Origin: pages from ${origin} may not open the live socket; add --allowed-origin ${origin}`);
    }
    if (!auth.enabled) return;
    const access = requiredAccess(request.method, route);
    request.principal = await principalOf(request, auth, access !== 'public', route === LIVE_ROUTE);
    if (access === 'public') return;
    if (!request.principal) {
      throw unauthorized('this needs a key: send "Authorization: Bearer KEY", or log in on the page');
    }
    if (!allows(request.principal.role, access)) throw forbidden(roleRefusal(request.principal.role, access));
  });

  const sweep = setInterval(() => auth.sweepLive(), SWEEP_MS);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  // A refused WebSocket upgrade never reaches @fastify/websocket's own hooks, which close the upgrade socket
  // after an HTTP answer; without this the socket stays open and holds the server's shutdown.
  app.addHook('onResponse', async (request) => {
    if (request.headers.upgrade !== undefined) request.raw.socket.destroy();
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(securityHeaders(reply.getHeader('content-type')?.toString()));
    done(null, payload);
  });
}

/**
 * A Bearer key wins over the session cookie. A bad key is refused even on public routes (else they would
 * let keys be guessed without the throttle); a stale cookie only where a key is needed, so the page still
 * loads and can show its login. A live socket opened with a session is tracked, to be closed when the
 * session ends. In a cluster a cookie unknown here is looked up in Redis (the only await on this path).
 */
async function principalOf(
  request: FastifyRequest,
  auth: Auth,
  needed: boolean,
  live: boolean,
): Promise<Principal | null> {
  const { authorization, cookie } = request.headers;
  if (authorization !== undefined) return auth.fromAuthorization(authorization, addressOf(request));
  const id = readCookie(cookie, SESSION_COOKIE);
  if (id === null) {
    if (needed) auth.checkNotBlocked(addressOf(request));
    return null;
  }
  const principal = await auth.fromSession(id);
  // A socket that closed during a lookup in Redis would never say so again: not tracked.
  if (principal && live && !request.raw.socket.destroyed) auth.trackLive(id, request.raw.socket);
  if (!principal && needed) throw unauthorized('the session has ended (logged out or expired): log in again');
  return principal;
}
