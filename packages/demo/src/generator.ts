/**
 * The demo traffic generator: five services' requests, CPU and memory as native ingest items, with a daily
 * curve, noise, spikes and scheduled incidents. Everything is a pure function of (seed, origin, time).
 */

import {
  CPU_METRIC,
  INSTANCE_ATTR,
  MEMORY_METRIC,
  type NativeItem,
  RED_METRIC,
  ROUTE_ATTR,
  STATUS_ATTR,
} from '@pulseboard/shared';
import type { Incident } from './incidents.ts';
import { Channel, newSecondState, roundLatency, type Spike, TrafficModel } from './model.ts';
import { ERROR_STATUS_WEIGHTS, ERROR_STATUSES, LAYOUT, SERVICES, STATUS_LATENCY_FACTOR } from './profiles.ts';
import { hashExtend, hashPrefix, normalQuantile, poisson, Stream } from './random.ts';
import { type Summary, summarizeWindow } from './summarize.ts';

export const METHOD_ATTR = 'http.request.method';
export const DEFAULT_DAY_LENGTH_MS = 86_400_000;

export interface DemoGeneratorOptions {
  seed: number;
  /** Epoch ms the incident schedule counts from; the first incident starts within ~3 minutes of it. */
  origin: number;
  /** Length of one daily traffic cycle; shorter values let a "day" pass in minutes. */
  dayLengthMs?: number;
}

/** Cumulative 5xx code weights, so one uniform picks the code. */
const ERROR_CUMULATIVE = ERROR_STATUS_WEIGHTS.map((_, i) =>
  ERROR_STATUS_WEIGHTS.slice(0, i + 1).reduce((a, b) => a + b, 0),
);

export class DemoGenerator {
  readonly seed: number;
  readonly origin: number;
  readonly dayLengthMs: number;
  private readonly model: TrafficModel;
  /** Hash prefixes of (seed, service, route, instance) for the per-second request streams. */
  private readonly requestKeys: number[][][];
  private readonly requests = new Stream();

  constructor(options: DemoGeneratorOptions) {
    const { seed, origin, dayLengthMs = DEFAULT_DAY_LENGTH_MS } = options;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    if (!Number.isFinite(origin)) throw new RangeError(`origin must be epoch milliseconds, got ${origin}`);
    if (!(Number.isFinite(dayLengthMs) && dayLengthMs >= 1000)) {
      throw new RangeError(`dayLengthMs must be at least 1000, got ${dayLengthMs}`);
    }
    this.seed = seed;
    this.origin = origin;
    this.dayLengthMs = dayLengthMs;
    this.model = new TrafficModel(seed, origin, dayLengthMs);
    this.requestKeys = SERVICES.map((s, si) =>
      s.routes.map((_, ri) => s.instances.map((_, ii) => hashPrefix(seed, Channel.Requests, si, ri, ii))),
    );
  }

  /** Names of the simulated services. */
  services(): string[] {
    return SERVICES.map((s) => s.name);
  }

  /**
   * Every observation with a timestamp in [from, to): one histogram item per series that had requests
   * (points sorted by time), and per second per instance one CPU and one memory gauge item stamped at the
   * start of the second. A silent service contributes nothing at all.
   */
  observe(from: number, to: number): NativeItem[] {
    const items: NativeItem[] = [];
    if (!(to > from)) return items;
    const firstSec = Math.floor(from / 1000);
    const endSec = Math.ceil(to / 1000);
    const { model, requestKeys, requests } = this;
    const u = requests.next;
    model.prepare(firstSec * 1000, endSec * 1000);
    const state = newSecondState();
    SERVICES.forEach((profile, si) => {
      const layout = LAYOUT[si]!;
      const series = new Map<number, NativeItem & { points: [number, number][] }>();
      for (let sec = firstSec; sec < endSec; sec++) {
        const t = sec * 1000;
        model.state(si, t, state);
        if (state.silent) continue;
        if (t >= from && t < to) {
          profile.instances.forEach((instance, ii) => {
            const cpu = model.cpu(si, ii, t, state);
            const memory = model.memory(si, ii, t);
            items.push({
              service: profile.name,
              name: CPU_METRIC,
              type: 'gauge',
              unit: '1',
              value: cpu,
              timestamp: t,
              attributes: { [INSTANCE_ATTR]: instance },
            });
            items.push({
              service: profile.name,
              name: MEMORY_METRIC,
              type: 'gauge',
              unit: 'By',
              value: memory,
              timestamp: t,
              attributes: { [INSTANCE_ATTR]: instance },
            });
          });
        }
        profile.routes.forEach((route, ri) => {
          const routeShare = layout.routeShares[ri]!;
          const slowdown = state.latencyRoutes?.[ri] ? state.incidentLatency : 1;
          const median = route.medianMs * state.latencyFactor * slowdown;
          const notFound = state.errorShare + route.notFoundShare;
          const unauthorized = notFound + route.unauthorizedShare;
          for (let ii = 0; ii < profile.instances.length; ii++) {
            requests.reset(hashExtend(requestKeys[si]![ri]![ii]!, sec));
            const n = poisson(u, state.rate * routeShare * layout.instanceShares[ii]!);
            for (let j = 0; j < n; j++) {
              // Always three draws per request, so filtering by [from, to) never shifts later requests.
              const ts = t + Math.floor(u() * 1000);
              const v = u();
              const z = normalQuantile(u());
              if (ts < from || ts >= to) continue;
              let status: number = route.okStatus;
              if (v < state.errorShare) status = errorStatus(v / state.errorShare);
              else if (v < notFound) status = 404;
              else if (v < unauthorized) status = 401;
              const latency = median * (STATUS_LATENCY_FACTOR[status] ?? 1) * Math.exp(route.sigma * z);
              const key = (ri * 8 + ii) * 1024 + status;
              let item = series.get(key);
              if (!item) {
                item = {
                  service: profile.name,
                  name: RED_METRIC,
                  type: 'histogram',
                  unit: 'ms',
                  attributes: {
                    [ROUTE_ATTR]: route.route,
                    [METHOD_ATTR]: route.method,
                    [STATUS_ATTR]: status,
                    [INSTANCE_ATTR]: profile.instances[ii]!,
                  },
                  points: [],
                };
                series.set(key, item);
              }
              item.points.push([ts, roundLatency(latency)]);
            }
          }
        });
      }
      for (const item of series.values()) {
        item.points.sort((a, b) => a[0] - b[0]);
        items.push(item);
      }
    });
    return items;
  }

  /**
   * Pre-aggregated history for [from, to) in buckets of `stepMs` (a positive multiple of 1000): request
   * counts with a compact latency distribution per series and bucket, and per-instance gauge means.
   * Statistically equivalent to `observe` over the same window but costs O(buckets x series), not
   * O(requests). Buckets at the window's edges only cover the part inside it.
   */
  summarize(from: number, to: number, stepMs: number): Summary {
    return summarizeWindow(this.model, from, to, stepMs);
  }

  /** Scheduled incidents overlapping [from, to): the ground truth for alert-quality checks. */
  incidents(from: number, to: number): Incident[] {
    return this.model.schedule.incidentsBetween(from, to);
  }

  /** Short traffic spikes overlapping [from, to); not incidents, but they can trip naive rate alerts. */
  spikes(from: number, to: number): Spike[] {
    return this.model.spikesBetween(from, to);
  }
}

function errorStatus(v: number): number {
  for (let k = 0; k < ERROR_CUMULATIVE.length; k++) if (v < ERROR_CUMULATIVE[k]!) return ERROR_STATUSES[k]!;
  return ERROR_STATUSES[ERROR_STATUSES.length - 1]!;
}
