/**
 * The OTLP benchmark workload: the native benchmark's traffic (5 services x 10 routes, log-normal latency,
 * 2% errors, spread over the hour that ends now) as an OpenTelemetry SDK would report it: one
 * `http.server.request.duration` histogram data point per service, route and status each second, with the
 * HTTP semantic-convention bucket bounds in seconds. Bodies are binary protobuf, one service's
 * `secondsPerBody` seconds each (a Collector batching exports), built before any clock runs.
 */
import protobuf from 'protobufjs/minimal.js';
import { prng } from './workload.ts';

export const SERVICES = 5;
export const ROUTES = 10;
const STATUSES = [200, 500] as const;
const ERROR_RATE = 0.02;
const SIGMA = 0.6;
const HOUR = 3_600_000;
/** Semantic-convention bounds (s) of http.server.request.duration. */
export const BOUNDS_S = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export interface OtlpWorkloadOptions {
  observations: number;
  secondsPerBody: number;
  /** The hour ends here (epoch ms). */
  end: number;
  /** Data starts this long after `end - 1h`, so none of it has left the 1 s tier when it is sent. */
  marginMs: number;
  seed: number;
  /** Services are named this followed by 0, 1, ... */
  servicePrefix?: string;
  /** How many services (5 unless given), each with the traffic it has when there are 5. */
  services?: number;
  /** Cumulative points carry running totals (every series every second), delta points only new counts. */
  cumulative: boolean;
}

export interface OtlpWorkload {
  bodies: Buffer[];
  points: number;
  observations: number;
  errors: number;
  bytes: number;
  start: number;
  end: number;
  generationMs: number;
}

interface Series {
  route: number;
  status: number;
  counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function buildOtlpWorkload(opts: OtlpWorkloadOptions): OtlpWorkload {
  const t0 = performance.now();
  const rand = prng(opts.seed);
  const seconds = Math.floor((HOUR - opts.marginMs) / 1000);
  const start = opts.end - seconds * 1000;
  const perRouteSecond = opts.observations / (seconds * SERVICES * ROUTES);
  const medians = Array.from({ length: SERVICES * ROUTES }, () => 0.01 + rand() * 0.15);
  const bodies: Buffer[] = [];
  let points = 0;
  let observations = 0;
  let errors = 0;
  for (let s = 0; s < (opts.services ?? SERVICES); s++) {
    const series: Series[] = [];
    for (let r = 0; r < ROUTES; r++) for (const status of STATUSES) series.push(emptySeries(r, status));
    for (let from = 0; from < seconds; from += opts.secondsPerBody) {
      const w = protobuf.Writer.create();
      openBody(w, `${opts.servicePrefix ?? 'svc-'}${s}`);
      for (let sec = from; sec < Math.min(seconds, from + opts.secondsPerBody); sec++) {
        if (!opts.cumulative) for (const one of series) Object.assign(one, emptySeries(one.route, one.status));
        for (let r = 0; r < ROUTES; r++) {
          // Whole observations per route-second, averaging to the requested total.
          const n = Math.floor(perRouteSecond + rand());
          for (let i = 0; i < n; i++) {
            const error = rand() < ERROR_RATE;
            const u = 1 - rand();
            const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
            observe(series[r * 2 + (error ? 1 : 0)]!, medians[s * ROUTES + r]! * Math.exp(SIGMA * normal));
            if (error) errors++;
          }
          observations += n;
        }
        const time = start + sec * 1000 + 999;
        for (const one of series) {
          // A delta export leaves out series that recorded nothing, as the SDK does.
          if (!opts.cumulative && one.count === 0) continue;
          writePoint(w, one, opts.cumulative ? start : start + sec * 1000, time);
          points++;
        }
      }
      bodies.push(closeBody(w, opts.cumulative));
    }
  }
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const end = start + seconds * 1000;
  return { bodies, points, observations, errors, bytes, start, end, generationMs: performance.now() - t0 };
}

function emptySeries(route: number, status: number): Series {
  const counts = new Array<number>(BOUNDS_S.length + 1).fill(0);
  return { route, status, counts, count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: 0 };
}

function observe(series: Series, seconds: number): void {
  let i = 0;
  while (i < BOUNDS_S.length && seconds > BOUNDS_S[i]!) i++;
  series.counts[i]!++;
  series.count++;
  series.sum += seconds;
  if (seconds < series.min) series.min = seconds;
  if (seconds > series.max) series.max = seconds;
}

/** Opens ExportMetricsServiceRequest > ResourceMetrics > ScopeMetrics > Metric > Histogram. */
function openBody(w: protobuf.Writer, service: string): void {
  w.uint32((1 << 3) | 2).fork(); // resourceMetrics
  w.uint32((1 << 3) | 2).fork(); // resource
  keyValue(w, 1, 'service.name', service);
  w.ldelim();
  w.uint32((2 << 3) | 2).fork(); // scopeMetrics
  w.uint32((1 << 3) | 2).fork(); // scope
  w.uint32((1 << 3) | 2).string('bench');
  w.ldelim();
  w.uint32((2 << 3) | 2).fork(); // metrics
  w.uint32((1 << 3) | 2).string('http.server.request.duration');
  w.uint32((3 << 3) | 2).string('s');
  w.uint32((9 << 3) | 2).fork(); // histogram
}

function closeBody(w: protobuf.Writer, cumulative: boolean): Buffer {
  w.uint32(2 << 3).int32(cumulative ? 2 : 1); // aggregationTemporality
  for (let i = 0; i < 4; i++) w.ldelim(); // histogram, metric, scopeMetrics, resourceMetrics
  return Buffer.from(w.finish());
}

function writePoint(w: protobuf.Writer, s: Series, startMs: number, timeMs: number): void {
  w.uint32((1 << 3) | 2).fork(); // dataPoints
  nanos(w, 2, startMs);
  nanos(w, 3, timeMs);
  w.uint32((4 << 3) | 1).fixed64(s.count);
  w.uint32((5 << 3) | 1).double(s.sum);
  w.uint32((6 << 3) | 2).fork();
  for (const c of s.counts) w.fixed64(c);
  w.ldelim();
  w.uint32((7 << 3) | 2).fork();
  for (const b of BOUNDS_S) w.double(b);
  w.ldelim();
  keyValue(w, 9, 'http.route', `/r/${s.route}`);
  keyValue(w, 9, 'http.response.status_code', s.status);
  keyValue(w, 9, 'http.request.method', 'GET');
  if (s.count > 0) {
    w.uint32((11 << 3) | 1).double(s.min);
    w.uint32((12 << 3) | 1).double(s.max);
  }
  w.ldelim();
}

function nanos(w: protobuf.Writer, field: number, ms: number): void {
  const ns = BigInt(ms) * 1_000_000n;
  w.uint32((field << 3) | 1);
  w.fixed32(Number(ns & 0xffffffffn));
  w.fixed32(Number(ns >> 32n));
}

function keyValue(w: protobuf.Writer, field: number, key: string, value: string | number): void {
  w.uint32((field << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(key);
  w.uint32((2 << 3) | 2).fork();
  if (typeof value === 'string') w.uint32((1 << 3) | 2).string(value);
  else w.uint32(3 << 3).int64(value);
  w.ldelim();
  w.ldelim();
}
