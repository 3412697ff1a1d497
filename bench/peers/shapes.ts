/**
 * Traffic shaped like a real fleet's, for comparing Pulseboard with its peers on the same observations:
 * 5 services x 10 routes with Zipf-like route popularity, eight status codes, log-normal latencies kept to
 * 0.01 ms, spread over one hour in time order (as exporters send it). The observations are built once,
 * compactly, then serialised per system in its best format: Pulseboard's native `points` form and
 * VictoriaMetrics' InfluxDB line protocol, cut into requests of `perBody` consecutive observations.
 */
import { prng } from '../workload.ts';

export const SERVICES = 5;
export const ROUTES = 10;
/** Status codes and their shares of traffic (sum 1); 500 and 503 are the errors. */
export const STATUSES = [200, 201, 204, 301, 400, 404, 500, 503] as const;
const STATUS_SHARES = [0.8, 0.05, 0.03, 0.02, 0.03, 0.04, 0.02, 0.01];
const SIGMA = 0.7;
const HOUR = 3_600_000;
export const METRIC = 'http.server.request.duration';
/** The series VictoriaMetrics makes of METRIC's line protocol (measurement + '_' + field). */
export const VM_METRIC = 'http_server_request_duration_value';

export interface Shapes {
  /** The hour the observations cover: [start, start + 1 h). */
  start: number;
  count: number;
  /** Per observation, in time order. */
  time: Float64Array;
  latency: Float64Array;
  service: Uint8Array;
  route: Uint8Array;
  status: Uint8Array;
  /** Observations per service, and errors (5xx) per service. */
  perService: number[];
  errorsPerService: number[];
}

/** Observations over the hour starting at `start`; deterministic for a seed. */
export function buildShapes(count: number, start: number, seed: number): Shapes {
  const rand = prng(seed);
  const routeWeights = Array.from({ length: ROUTES }, (_, r) => 1 / (r + 1));
  const routeTotal = routeWeights.reduce((a, b) => a + b, 0);
  const routeCdf = cumulative(routeWeights.map((w) => w / routeTotal));
  const statusCdf = cumulative(STATUS_SHARES);
  const medians = Array.from({ length: SERVICES * ROUTES }, () => 5 + rand() * 145);
  const shapes: Shapes = {
    start,
    count,
    time: new Float64Array(count),
    latency: new Float64Array(count),
    service: new Uint8Array(count),
    route: new Uint8Array(count),
    status: new Uint8Array(count),
    perService: new Array<number>(SERVICES).fill(0),
    errorsPerService: new Array<number>(SERVICES).fill(0),
  };
  for (let i = 0; i < count; i++) {
    const s = Math.floor(rand() * SERVICES);
    const r = pick(routeCdf, rand());
    const st = pick(statusCdf, rand());
    const normal = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    shapes.time[i] = start + Math.floor((i * HOUR) / count);
    shapes.latency[i] = Math.max(0.01, Math.round(medians[s * ROUTES + r]! * Math.exp(SIGMA * normal) * 100) / 100);
    shapes.service[i] = s;
    shapes.route[i] = r;
    shapes.status[i] = st;
    shapes.perService[s]!++;
    if (STATUSES[st]! >= 500) shapes.errorsPerService[s]!++;
  }
  return shapes;
}

export const serviceName = (s: number): string => `svc-${s}`;
export const routeName = (r: number): string => `/api/r${r}`;

export interface Bodies {
  bodies: Buffer[];
  counts: number[];
  bytes: number;
}

/** Pulseboard's native batches: per request, one `points` item per series it holds. */
export function nativeBodies(w: Shapes, perBody: number): Bodies {
  return cut(w, perBody, (from, to) => {
    const items = new Map<
      number,
      { attributes: Record<string, string | number>; service: string; points: number[][] }
    >();
    for (let i = from; i < to; i++) {
      const key = (w.service[i]! * ROUTES + w.route[i]!) * STATUSES.length + w.status[i]!;
      let item = items.get(key);
      if (!item) {
        item = {
          service: serviceName(w.service[i]!),
          attributes: { 'http.route': routeName(w.route[i]!), 'http.response.status_code': STATUSES[w.status[i]!]! },
          points: [],
        };
        items.set(key, item);
      }
      item.points.push([w.time[i]!, w.latency[i]!]);
    }
    const metrics = [...items.values()].map((item) => ({
      service: item.service,
      name: METRIC,
      type: 'histogram',
      unit: 'ms',
      attributes: item.attributes,
      points: item.points,
    }));
    return Buffer.from(JSON.stringify({ metrics }));
  });
}

/** InfluxDB line protocol, one line per observation, millisecond timestamps (`/write?precision=ms`). */
export function lineBodies(w: Shapes, perBody: number): Bodies {
  const measurement = METRIC.replaceAll('.', '_');
  return cut(w, perBody, (from, to) => {
    const lines: string[] = [];
    for (let i = from; i < to; i++) {
      lines.push(
        `${measurement},service=${serviceName(w.service[i]!)},route=${routeName(w.route[i]!)},status=${STATUSES[w.status[i]!]} value=${w.latency[i]} ${w.time[i]}`,
      );
    }
    return Buffer.from(`${lines.join('\n')}\n`);
  });
}

function cut(w: Shapes, perBody: number, make: (from: number, to: number) => Buffer): Bodies {
  const bodies: Buffer[] = [];
  const counts: number[] = [];
  let bytes = 0;
  for (let from = 0; from < w.count; from += perBody) {
    const to = Math.min(w.count, from + perBody);
    const body = make(from, to);
    bodies.push(body);
    counts.push(to - from);
    bytes += body.length;
  }
  return { bodies, counts, bytes };
}

function cumulative(shares: number[]): number[] {
  let sum = 0;
  return shares.map((s) => (sum += s));
}

function pick(cdf: number[], u: number): number {
  for (let i = 0; i < cdf.length; i++) if (u < cdf[i]!) return i;
  return cdf.length - 1;
}
