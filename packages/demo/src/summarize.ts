/**
 * Cheap history for a backfill: integrates the per-second model over each bucket and draws one Poisson
 * count per series and bucket, then spreads that count over a few latency values by stratified sampling of
 * the bucket's lognormal. Cost grows with buckets x series, never with the number of requests.
 */

import { Channel, newSecondState, type SecondState, type TrafficModel } from './model.ts';
import { ERROR_STATUS_WEIGHTS, ERROR_STATUSES, LAYOUT, SERVICES, STATUS_LATENCY_FACTOR } from './profiles.ts';
import { hashExtend, hashPrefix, poisson, Stream } from './random.ts';
import { type LatencyPair, LatencyStrata } from './strata.ts';

export interface RequestBucket {
  service: string;
  route: string;
  method: string;
  status: number;
  instance: string;
  /** Bucket start, a multiple of the step. */
  t: number;
  count: number;
  /**
   * (latency ms, integer count) pairs whose counts sum to `count`; at most 32 pairs. Pairs are frozen and
   * shared between buckets of one result (see `LatencyStrata`): read them, do not modify them.
   */
  latencies: LatencyPair[];
}

export interface GaugeBucket {
  service: string;
  instance: string;
  t: number;
  /** Means over the bucket's seconds in which the service reported. */
  cpu: number;
  memory: number;
}

export interface Summary {
  requests: RequestBucket[];
  gauges: GaugeBucket[];
}

/** Incidents are loaded for this much time at once: short enough that each second checks only a few. */
const PREPARE_SPAN_MS = 10 * 60_000;

/** How a status's expected count derives from a bucket's totals. */
const Kind = { Ok: 0, NotFound: 1, Unauthorized: 2, ServerError: 3 } as const;

interface StatusPlan {
  status: number;
  kind: number;
  /** Share of the 5xx total for server errors; unused otherwise. */
  errorWeight: number;
  /** Log of the route's median latency for this status, before load and incident factors. */
  baseLog: number;
}

const PLANS: StatusPlan[][][] = SERVICES.map((profile, si) =>
  profile.routes.map((route, ri) =>
    LAYOUT[si]!.statuses[ri]!.map((status) => {
      const errorIndex = ERROR_STATUSES.indexOf(status as (typeof ERROR_STATUSES)[number]);
      let kind: number = Kind.Ok;
      if (status === 404) kind = Kind.NotFound;
      else if (status === 401) kind = Kind.Unauthorized;
      else if (errorIndex >= 0) kind = Kind.ServerError;
      return {
        status,
        kind,
        errorWeight: errorIndex >= 0 ? ERROR_STATUS_WEIGHTS[errorIndex]! : 0,
        baseLog: Math.log(route.medianMs * (STATUS_LATENCY_FACTOR[status] ?? 1)),
      };
    }),
  ),
);

/** One service's model integrated over one bucket. */
class BucketTotals {
  /** Expected requests and 5xx, and rate-weighted log latency factors, split by latency incident. */
  total = 0;
  errors = 0;
  logAll = 0;
  slowTotal = 0;
  logSlow = 0;
  slowFactor = 1;
  slowRoutes: readonly boolean[] | null = null;
  /** Seconds the service reported in, and per-instance gauge sums over them. */
  reported = 0;
  readonly cpuSum = new Float64Array(8);
  readonly memorySum = new Float64Array(8);

  integrate(model: TrafficModel, si: number, lo: number, hi: number, state: SecondState): this {
    this.total = this.errors = this.logAll = this.slowTotal = this.logSlow = this.reported = 0;
    this.slowFactor = 1;
    this.slowRoutes = null;
    this.cpuSum.fill(0);
    this.memorySum.fill(0);
    const instances = SERVICES[si]!.instances.length;
    for (let sec = Math.floor(lo / 1000), end = Math.ceil(hi / 1000); sec < end; sec++) {
      const t = sec * 1000;
      model.state(si, t, state);
      if (state.silent) continue;
      // Gauges are stamped at the start of their second, so a second that began before `lo` has none here.
      if (t >= lo) {
        this.reported++;
        for (let ii = 0; ii < instances; ii++) {
          this.cpuSum[ii]! += model.cpu(si, ii, t, state);
          this.memorySum[ii]! += model.memory(si, ii, t);
        }
      }
      const rate = (state.rate * (Math.min(t + 1000, hi) - Math.max(t, lo))) / 1000;
      const logFactor = rate * Math.log(state.latencyFactor);
      this.total += rate;
      this.errors += rate * state.errorShare;
      this.logAll += logFactor;
      if (state.latencyRoutes) {
        this.slowTotal += rate;
        this.logSlow += logFactor;
        this.slowFactor = state.incidentLatency;
        this.slowRoutes = state.latencyRoutes;
      }
    }
    return this;
  }
}

export function summarizeWindow(model: TrafficModel, from: number, to: number, stepMs: number): Summary {
  if (!(Number.isSafeInteger(stepMs) && stepMs >= 1000 && stepMs % 1000 === 0)) {
    throw new RangeError(`stepMs must be a positive multiple of 1000, got ${stepMs}`);
  }
  if (!(Number.isFinite(from) && Number.isFinite(to))) throw new RangeError('from and to must be epoch milliseconds');
  const requests: RequestBucket[] = [];
  const gauges: GaugeBucket[] = [];
  const state = newSecondState();
  const totals = new BucketTotals();
  // Hash prefixes per (service, route, instance); each bucket only extends them by its start.
  const keys = SERVICES.map((s, si) =>
    s.routes.map((_, ri) => s.instances.map((_, ii) => hashPrefix(model.seed, Channel.Summary, si, ri, ii, stepMs))),
  );
  const strata = new LatencyStrata();
  const random = new Stream();
  const u = random.next;
  let preparedUntil = Number.NEGATIVE_INFINITY;
  for (let b = Math.floor(from / stepMs) * stepMs; b < to; b += stepMs) {
    if (b + stepMs > preparedUntil) {
      preparedUntil = b + Math.max(stepMs, PREPARE_SPAN_MS);
      model.prepare(b, preparedUntil);
    }
    for (let si = 0; si < SERVICES.length; si++) {
      const profile = SERVICES[si]!;
      const { total, errors, logAll, slowTotal, logSlow, slowRoutes, reported } = totals.integrate(
        model,
        si,
        Math.max(b, from),
        Math.min(b + stepMs, to),
        state,
      );
      if (reported > 0) {
        profile.instances.forEach((instance, ii) => {
          const cpu = Math.round((totals.cpuSum[ii]! / reported) * 10_000) / 10_000;
          const memory = Math.round(totals.memorySum[ii]! / reported);
          gauges.push({ service: profile.name, instance, t: b, cpu, memory });
        });
      }
      if (!(total > 0)) continue;
      const layout = LAYOUT[si]!;
      const normalTotal = total - slowTotal;
      const normalLog = normalTotal > 0 ? (logAll - logSlow) / normalTotal : 0;
      const slowLog = slowTotal > 0 ? logSlow / slowTotal + Math.log(totals.slowFactor) : 0;
      const meanLog = logAll / total;
      for (let ri = 0; ri < profile.routes.length; ri++) {
        const route = profile.routes[ri]!;
        const plans = PLANS[si]![ri]!;
        const slowShare = slowRoutes?.[ri] ? slowTotal / total : 0;
        const okTotal = Math.max(0, total * (1 - route.notFoundShare - route.unauthorizedShare) - errors);
        for (let ii = 0; ii < profile.instances.length; ii++) {
          const share = layout.routeShares[ri]! * layout.instanceShares[ii]!;
          // One stream per series-bucket; statuses draw from it in a fixed order.
          random.reset(hashExtend(keys[si]![ri]![ii]!, b / 1000));
          for (const plan of plans) {
            let expected = okTotal;
            if (plan.kind === Kind.NotFound) expected = total * route.notFoundShare;
            else if (plan.kind === Kind.Unauthorized) expected = total * route.unauthorizedShare;
            else if (plan.kind === Kind.ServerError) expected = errors * plan.errorWeight;
            expected *= share;
            let count = 0;
            strata.clear();
            if (slowShare > 0) {
              // Part of the bucket fell inside a latency incident: two lognormals, drawn separately.
              const normal = poisson(u, expected * (1 - slowShare));
              const slow = poisson(u, expected * slowShare);
              strata.add(normal, plan.baseLog + normalLog, route.sigma, u);
              strata.add(slow, plan.baseLog + slowLog, route.sigma, u);
              count = normal + slow;
            } else {
              count = poisson(u, expected);
              strata.add(count, plan.baseLog + meanLog, route.sigma, u);
            }
            if (count === 0) continue;
            requests.push({
              service: profile.name,
              route: route.route,
              method: route.method,
              status: plan.status,
              instance: profile.instances[ii]!,
              t: b,
              count,
              latencies: strata.pairs(),
            });
          }
        }
      }
    }
  }
  return { requests, gauges };
}
