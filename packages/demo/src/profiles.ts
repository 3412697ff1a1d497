/**
 * The five demo services. Numbers are chosen so the dashboard looks like a small real shop: a gateway
 * that carries most traffic, a slow payment path, cheap inventory lookups, and enough 4xx noise that a
 * naive "non-2xx = error" reading would be visibly wrong.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteProfile {
  route: string;
  method: HttpMethod;
  /** Relative share of the service's traffic (normalised over the service's routes). */
  weight: number;
  /** Baseline lognormal latency: median in ms and sigma of the underlying normal. */
  medianMs: number;
  sigma: number;
  /** Status of a successful response. */
  okStatus: 200 | 201 | 204;
  /** Shares of client errors; these are not server errors and must not count toward the error rate. */
  notFoundShare: number;
  unauthorizedShare: number;
}

export interface ServiceProfile {
  name: string;
  /** Requests per second across all routes and instances at the top of the daily curve. */
  peakRps: number;
  /** Share of requests answered with 500/502/503 outside incidents. */
  errorShare: number;
  routes: RouteProfile[];
  /** `service.instance.id` values; traffic is split across them by `instanceWeights`. */
  instances: string[];
  instanceWeights: number[];
  /** CPU utilisation (0..1) with no traffic, and how much a peak's worth of traffic adds on top. */
  cpuIdle: number;
  cpuPerPeak: number;
  /** Resident memory right after a collection, in bytes; it grows by up to `memoryGrowth` between them. */
  memoryBytes: number;
  memoryGrowth: number;
  /** Shifts this service's daily peak (fraction of a day) so the services do not move in lockstep. */
  phaseShift: number;
}

/** How server errors split between status codes; a 503-heavy mix reads like overload. */
export const ERROR_STATUSES = [500, 502, 503] as const;
export const ERROR_STATUS_WEIGHTS = [0.5, 0.2, 0.3] as const;

/** Latency of non-2xx answers relative to the route's: rejections return early, bad gateways wait. */
export const STATUS_LATENCY_FACTOR: Readonly<Record<number, number>> = {
  401: 0.35,
  404: 0.5,
  500: 1.1,
  502: 2.5,
  503: 0.25,
};

const MB = 1024 * 1024;

function route(
  method: HttpMethod,
  path: string,
  weight: number,
  medianMs: number,
  sigma: number,
  extra: Partial<Pick<RouteProfile, 'okStatus' | 'notFoundShare' | 'unauthorizedShare'>> = {},
): RouteProfile {
  return {
    route: path,
    method,
    weight,
    medianMs,
    sigma,
    okStatus: extra.okStatus ?? 200,
    notFoundShare: extra.notFoundShare ?? 0,
    unauthorizedShare: extra.unauthorizedShare ?? 0,
  };
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    name: 'api-gateway',
    peakRps: 80,
    errorShare: 0.008,
    routes: [
      route('GET', '/api/products', 0.28, 24, 0.45),
      route('GET', '/api/products/:id', 0.2, 16, 0.4, { notFoundShare: 0.02 }),
      route('GET', '/api/orders/:id', 0.12, 42, 0.5, { notFoundShare: 0.04, unauthorizedShare: 0.01 }),
      route('POST', '/api/orders', 0.08, 115, 0.55, { okStatus: 201, unauthorizedShare: 0.01 }),
      route('POST', '/api/login', 0.1, 70, 0.4, { unauthorizedShare: 0.08 }),
      route('GET', '/api/cart', 0.14, 28, 0.45, { unauthorizedShare: 0.02 }),
      route('GET', '/api/search', 0.08, 90, 0.6),
    ],
    instances: ['api-gateway-1', 'api-gateway-2', 'api-gateway-3'],
    instanceWeights: [1, 1, 0.9],
    cpuIdle: 0.08,
    cpuPerPeak: 0.45,
    memoryBytes: 220 * MB,
    memoryGrowth: 0.2,
    phaseShift: 0,
  },
  {
    name: 'auth-service',
    peakRps: 45,
    errorShare: 0.003,
    routes: [
      route('POST', '/auth/login', 0.22, 85, 0.35, { unauthorizedShare: 0.1 }),
      route('POST', '/auth/token/refresh', 0.2, 12, 0.4, { unauthorizedShare: 0.03 }),
      route('GET', '/auth/session', 0.4, 6, 0.5, { unauthorizedShare: 0.04 }),
      route('POST', '/auth/logout', 0.12, 9, 0.4, { okStatus: 204 }),
      route('GET', '/auth/jwks', 0.06, 5, 0.3),
    ],
    instances: ['auth-service-1', 'auth-service-2'],
    instanceWeights: [1, 1],
    cpuIdle: 0.05,
    cpuPerPeak: 0.55,
    memoryBytes: 160 * MB,
    memoryGrowth: 0.15,
    phaseShift: -0.01,
  },
  {
    name: 'order-service',
    peakRps: 35,
    errorShare: 0.006,
    routes: [
      route('GET', '/api/orders/:id', 0.34, 35, 0.5, { notFoundShare: 0.05 }),
      route('GET', '/api/orders', 0.2, 60, 0.55),
      route('POST', '/api/orders', 0.18, 120, 0.5, { okStatus: 201 }),
      route('PUT', '/api/orders/:id/status', 0.1, 40, 0.45, { notFoundShare: 0.02 }),
      route('DELETE', '/api/orders/:id', 0.06, 30, 0.4, { okStatus: 204, notFoundShare: 0.03 }),
      route('GET', '/api/orders/:id/items', 0.12, 28, 0.45, { notFoundShare: 0.03 }),
    ],
    instances: ['order-service-1', 'order-service-2', 'order-service-3'],
    instanceWeights: [1.1, 1, 0.9],
    cpuIdle: 0.06,
    cpuPerPeak: 0.4,
    memoryBytes: 380 * MB,
    memoryGrowth: 0.25,
    phaseShift: 0.01,
  },
  {
    name: 'payment-service',
    peakRps: 20,
    errorShare: 0.012,
    routes: [
      route('POST', '/api/payments', 0.4, 110, 0.6, { okStatus: 201 }),
      route('GET', '/api/payments/:id', 0.3, 20, 0.45, { notFoundShare: 0.02 }),
      route('POST', '/api/payments/:id/refund', 0.1, 95, 0.5, { notFoundShare: 0.01 }),
      route('POST', '/api/payments/webhooks/:provider', 0.2, 15, 0.5, { unauthorizedShare: 0.02 }),
    ],
    instances: ['payment-service-1', 'payment-service-2'],
    instanceWeights: [1, 1],
    cpuIdle: 0.04,
    cpuPerPeak: 0.35,
    memoryBytes: 540 * MB,
    memoryGrowth: 0.1,
    phaseShift: 0.015,
  },
  {
    name: 'inventory-service',
    peakRps: 40,
    errorShare: 0.002,
    routes: [
      route('GET', '/api/inventory/:sku', 0.4, 8, 0.45, { notFoundShare: 0.03 }),
      route('POST', '/api/inventory/reserve', 0.2, 25, 0.5, { okStatus: 201 }),
      route('POST', '/api/inventory/release', 0.1, 20, 0.45),
      route('PUT', '/api/inventory/:sku', 0.1, 32, 0.45, { notFoundShare: 0.02 }),
      route('GET', '/api/inventory/low-stock', 0.15, 95, 0.55),
      route('GET', '/api/warehouses', 0.05, 14, 0.35),
    ],
    instances: ['inventory-service-1'],
    instanceWeights: [1],
    cpuIdle: 0.1,
    cpuPerPeak: 0.5,
    memoryBytes: 300 * MB,
    memoryGrowth: 0.3,
    phaseShift: 0.02,
  },
];

/** Requests per second of all services together at the daily peak (before spikes). */
export const TOTAL_PEAK_RPS = SERVICES.reduce((sum, s) => sum + s.peakRps, 0);

/** Precomputed per-service shares and status lists, in the order both generator paths iterate them. */
export interface ServiceLayout {
  /** Traffic share of each route and of each instance (each sums to 1). */
  routeShares: number[];
  instanceShares: number[];
  /** Per route: the statuses it can answer with, success first, then 404/401 when used, then 5xx. */
  statuses: number[][];
}

export const LAYOUT: readonly ServiceLayout[] = SERVICES.map((s) => {
  const routeTotal = s.routes.reduce((sum, r) => sum + r.weight, 0);
  const instanceTotal = s.instanceWeights.reduce((sum, w) => sum + w, 0);
  return {
    routeShares: s.routes.map((r) => r.weight / routeTotal),
    instanceShares: s.instanceWeights.map((w) => w / instanceTotal),
    statuses: s.routes.map((r) => [
      r.okStatus,
      ...(r.notFoundShare > 0 ? [404] : []),
      ...(r.unauthorizedShare > 0 ? [401] : []),
      ...ERROR_STATUSES,
    ]),
  };
});
