/**
 * The benchmark workload, generated deterministically (seeded PRNG) so every run and every machine sends
 * the same bytes: 5 services x 10 routes, log-normal latency, 2% errors (status 500), spread evenly over
 * the hour that ends when the benchmark starts.
 *
 * Bodies are built here, BEFORE any timing starts, so the figure measures the server and not the client's
 * JSON encoding. They are the native compact form (`points: [[ts, ms], ...]`, identity sent once per item)
 * because that is what a busy exporter would send and what the ingest budget is stated for.
 */

export const SERVICES = 5;
export const ROUTES = 10;
const SERIES = SERVICES * ROUTES;
export const ERROR_RATE = 0.02;
/** Spread of ln(latency); 0.6 gives p99/p50 ~ 4, a realistic long tail. */
const SIGMA = 0.6;
const HOUR = 3_600_000;

export interface WorkloadOptions {
  observations: number;
  /** Observations per request body. */
  perBody: number;
  /** The hour ends here (epoch ms); the last observation is just before it. */
  end: number;
  seed: number;
  /**
   * The data starts this long after `end - 1h`, so that none of it has left the server's 1 s tier
   * (1-hour retention) by the time it is sent: at least 5 s, plus however long building and start-up take.
   */
  marginMs: number;
  /** How much time the data spans before `end` (default an hour; `bench/import.ts` sends a week). */
  spanMs?: number;
}

export interface Workload {
  bodies: Buffer[];
  /** Observations in each body, to check each 202 `accepted` against. */
  bodyCounts: number[];
  observations: number;
  bytes: number;
  /** First and last timestamp sent. */
  start: number;
  end: number;
  spanMs: number;
  /** Observations per absolute second (index = floor(ts/1000) - secondBase), to count any aligned range. */
  perSecond: Uint32Array;
  secondBase: number;
  /** What was sent, kept compactly for the accuracy check (latency as sent, service index). */
  latency: Float32Array;
  service: Uint8Array;
  /** Median latency (ms) chosen for each service/route, for the report. */
  routeMedians: number[];
  generationMs: number;
}

export const serviceName = (s: number): string => `svc-${s}`;
export const routeName = (r: number): string => `/r/${r}`;

/** mulberry32: tiny, fast, good enough statistically for a synthetic workload, and reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box-Muller (one value per call; the wasted twin is not worth the state). */
function normal(rand: () => number): number {
  const u = 1 - rand(); // (0, 1], keeps log finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function buildWorkload(opts: WorkloadOptions): Workload {
  const t0 = performance.now();
  const { observations: n, perBody } = opts;
  const rand = prng(opts.seed);
  const spanMs = (opts.spanMs ?? HOUR) - opts.marginMs;
  const start = opts.end - spanMs;

  // Each service/route gets its own median between 20 and 80 ms, so services differ visibly.
  const routeMedians = Array.from({ length: SERIES }, () => 20 + 60 * rand());
  const routeMu = routeMedians.map((m) => Math.log(m));
  // The JSON prefix of each (service, route, status) item, built once; group g = series * 2 + isError.
  const prefixes: string[] = [];
  for (let s = 0; s < SERIES; s++) {
    for (const status of [200, 500]) {
      const attrs = JSON.stringify({ 'http.route': routeName(s % ROUTES), 'http.response.status_code': status });
      prefixes.push(
        `{"service":"${serviceName(Math.floor(s / ROUTES))}","name":"http.server.request.duration",` +
          `"type":"histogram","unit":"ms","attributes":${attrs},"points":[`,
      );
    }
  }

  const secondBase = Math.floor(start / 1000);
  const perSecond = new Uint32Array(Math.floor(opts.end / 1000) - secondBase + 1);
  const latency = new Float32Array(n);
  const service = new Uint8Array(n);
  const bodies: Buffer[] = [];
  const bodyCounts: number[] = [];
  let bytes = 0;
  let lastTs = start;

  for (let lo = 0; lo < n; lo += perBody) {
    const hi = Math.min(n, lo + perBody);
    // Per-group point lists for this slice of the hour; observation i is at start + i*span/n, so the
    // slices are consecutive in time and each group's points come out in time order.
    const parts: string[][] = Array.from({ length: SERIES * 2 }, () => []);
    for (let i = lo; i < hi; i++) {
      const ts = start + Math.floor((i * spanMs) / n);
      const s = Math.floor(rand() * SERIES);
      const isError = rand() < ERROR_RATE ? 1 : 0;
      // 3 decimals (microseconds) keep bodies small and are far below the sketch's 1% resolution.
      const ms = Math.round(Math.exp(routeMu[s]! + SIGMA * normal(rand)) * 1000) / 1000;
      parts[s * 2 + isError]!.push(`[${ts},${ms}]`);
      perSecond[Math.floor(ts / 1000) - secondBase]!++;
      latency[i] = ms;
      service[i] = Math.floor(s / ROUTES);
      lastTs = ts;
    }
    const items: string[] = [];
    parts.forEach((points, g) => {
      if (points.length > 0) items.push(`${prefixes[g]}${points.join(',')}]}`);
    });
    const body = Buffer.from(`{"metrics":[${items.join(',')}]}`);
    bodies.push(body);
    bodyCounts.push(hi - lo);
    bytes += body.length;
  }

  return {
    bodies,
    bodyCounts,
    observations: n,
    bytes,
    start,
    end: lastTs,
    spanMs,
    perSecond,
    secondBase,
    latency,
    service,
    routeMedians,
    generationMs: performance.now() - t0,
  };
}

/** Observations with a timestamp in [from, to); both must be whole seconds. */
/**
 * A workload whose hour ends now and starts late enough that the oldest point is still inside the 1 s
 * tier's hour when it is sent: 5 s plus the build time, estimated from a small throwaway build (so a
 * slower machine gets a proportionally larger margin). Add `extraMarginMs` for time spent between the
 * build and the send (e.g. other phases sent first).
 */
export function buildRecentWorkload(
  opts: Pick<WorkloadOptions, 'observations' | 'perBody' | 'seed'>,
  extraMarginMs = 0,
): Workload & { marginMs: number } {
  const sample = Math.min(opts.observations, 200_000);
  const calibration = buildWorkload({
    observations: sample,
    perBody: opts.perBody,
    end: Date.now(),
    seed: 1,
    marginMs: 5_000,
  });
  const marginMs = 5_000 + extraMarginMs + Math.ceil((calibration.generationMs * opts.observations) / sample);
  return { ...buildWorkload({ ...opts, end: Date.now(), marginMs }), marginMs };
}

export function countInRange(w: Workload, from: number, to: number): number {
  let total = 0;
  const first = Math.max(0, from / 1000 - w.secondBase);
  const last = Math.min(w.perSecond.length, to / 1000 - w.secondBase);
  for (let i = first; i < last; i++) total += w.perSecond[i]!;
  return total;
}

/** The timestamp of observation i, recomputed rather than stored (it is a pure function of i). */
export function timestampOf(w: Workload, i: number): number {
  return w.start + Math.floor((i * w.spanMs) / w.observations);
}
