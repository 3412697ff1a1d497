import type { Role } from '@pulseboard/shared';

/** Who may call a route: anyone, or a key with one of the roles (admin can do everything). */
export type Access = 'public' | Role;

/** Exporters and the native batch route: the only routes an ingest key opens. */
const INGEST_ROUTES = new Set(['/api/v1/metrics', '/v1/metrics', '/v1/traces', '/v1/logs']);
/** Liveness, readiness, the page's own files and the page's login: they answer without a key. */
const PUBLIC_GET = new Set(['/healthz', '/readyz', '/', '/index.html', '/assets/*', '/*']);
const SESSION_ROUTE = '/api/v1/session';

/**
 * The access a request needs, from its method and the route it matched (`routeOptions.url`: `undefined`
 * for no route). Reads need a read key, ingest routes an ingest key, everything else (deletes, rules,
 * silences, acknowledgements, unknown routes) an admin key.
 */
export function requiredAccess(method: string, route: string | undefined): Access {
  if (route === SESSION_ROUTE) return 'public';
  const reading = method === 'GET' || method === 'HEAD';
  if (reading && route !== undefined && (PUBLIC_GET.has(route) || isStaticFile(route))) return 'public';
  if (method === 'POST' && route !== undefined && INGEST_ROUTES.has(route)) return 'ingest';
  return reading ? 'read' : 'admin';
}

/** @fastify/static with `wildcard: false` registers one route per built file, e.g. `/assets/index-abc.js`. */
function isStaticFile(route: string): boolean {
  return route.startsWith('/assets/');
}

export function allows(role: Role, needed: Role): boolean {
  return role === 'admin' || role === needed;
}
