/**
 * The incident schedule: a pure function of (seed, origin), so the generator that injects incidents and a
 * benchmark that scores alerts against them agree without sharing state. Time is cut into fixed slots with
 * one incident per slot at a jittered offset, which makes "what overlaps [from, to)" O(slots in range)
 * instead of a walk from the origin.
 */

import { SERVICES, type ServiceProfile } from './profiles.ts';
import { hash, uniformAt } from './random.ts';

export type IncidentKind = 'latency' | 'errors' | 'silent' | 'cpu';
export const INCIDENT_KINDS: readonly IncidentKind[] = ['latency', 'errors', 'silent', 'cpu'];

export interface Incident {
  /** Stable identifier: `<service>:<kind>:<start>`. */
  id: string;
  kind: IncidentKind;
  service: string;
  /** Epoch ms, whole seconds; the incident covers [start, end). */
  start: number;
  end: number;
  /** `http.route` values affected (all of the service's for every kind but `latency`), every method of each. */
  routes: string[];
  /** latency: multiplier on affected latencies; errors: share of 5xx; cpu: utilisation level; silent: 0. */
  magnitude: number;
}

/** One incident per slot keeps the mean spacing at 30 minutes. */
export const INCIDENT_SLOT_MS = 30 * 60_000;
/** Starts sit up to this far into their slot, so consecutive starts are 20-40 minutes apart. */
const SLOT_JITTER_MS = 10 * 60_000;
const MIN_DURATION_MS = 2 * 60_000;
const MAX_DURATION_MS = 6 * 60_000;
/** The first incident after the origin comes quickly so a fresh demo has something to alert on. */
const FIRST_MIN_OFFSET_MS = 20_000;
const FIRST_MAX_OFFSET_MS = 150_000;

/** Salts separating the independent draws made for one slot. */
const Draw = { Offset: 1, Duration: 2, Magnitude: 3, RouteOrder: 4, KindPhase: 5, ServicePhase: 6 } as const;

export interface IncidentScheduleOptions {
  seed: number;
  /** Epoch ms; slot 0 starts here. Slots before it exist too, so a history backfill has incidents. */
  origin: number;
}

export class IncidentSchedule {
  private readonly seed: number;
  private readonly origin: number;
  private readonly kindPhase: number;
  private readonly servicePhase: number;

  constructor(options: IncidentScheduleOptions) {
    this.seed = options.seed;
    this.origin = Math.floor(options.origin / 1000) * 1000;
    // Slot 0 opens with a latency or error incident: the kinds that show up on the main charts.
    this.kindPhase = hash(this.seed, Draw.KindPhase) % 2;
    this.servicePhase = hash(this.seed, Draw.ServicePhase) % SERVICES.length;
  }

  /** Incidents overlapping [from, to), ordered by start. */
  incidentsBetween(from: number, to: number): Incident[] {
    if (!(to > from)) return [];
    const maxReach = SLOT_JITTER_MS + MAX_DURATION_MS;
    const first = Math.floor((from - this.origin - maxReach) / INCIDENT_SLOT_MS);
    const last = Math.floor((to - this.origin) / INCIDENT_SLOT_MS);
    const out: Incident[] = [];
    for (let slot = first; slot <= last; slot++) {
      const incident = this.slot(slot);
      if (incident.start < to && incident.end > from) out.push(incident);
    }
    return out;
  }

  /** The incident of slot `index` (0 is the first at or after the origin). */
  slot(index: number): Incident {
    const { seed } = this;
    const slotStart = this.origin + index * INCIDENT_SLOT_MS;
    const offsetU = uniformAt(seed, Draw.Offset, index);
    const offset =
      index === 0
        ? FIRST_MIN_OFFSET_MS + offsetU * (FIRST_MAX_OFFSET_MS - FIRST_MIN_OFFSET_MS)
        : offsetU * SLOT_JITTER_MS;
    const duration = MIN_DURATION_MS + uniformAt(seed, Draw.Duration, index) * (MAX_DURATION_MS - MIN_DURATION_MS);
    const start = slotStart + Math.round(offset / 1000) * 1000;
    const end = start + Math.round(duration / 1000) * 1000;
    // Kinds cycle with period 4 and services with period 5, so 20 consecutive slots cover every pairing.
    const kind = INCIDENT_KINDS[mod(index + this.kindPhase, INCIDENT_KINDS.length)]!;
    const profile = SERVICES[mod(index + this.servicePhase, SERVICES.length)]!;
    const u = uniformAt(seed, Draw.Magnitude, index);
    let magnitude = 0;
    let routes = [...new Set(profile.routes.map((r) => r.route))];
    if (kind === 'latency') {
      magnitude = round2(3 + u * 5);
      routes = this.latencyRoutes(profile, index);
    } else if (kind === 'errors') {
      magnitude = round2(0.1 + u * 0.3);
    } else if (kind === 'cpu') {
      magnitude = round2(0.95 + u * 0.04);
    }
    return { id: `${profile.name}:${kind}:${start}`, kind, service: profile.name, start, end, routes, magnitude };
  }

  /**
   * A latency regression hits some routes, but always the slowest one and at least half the traffic:
   * the slowest route owns the service's tail, so sparing it would leave the service p99 flat.
   */
  private latencyRoutes(profile: ServiceProfile, index: number): string[] {
    const totalWeight = profile.routes.reduce((sum, r) => sum + r.weight, 0);
    const slowest = profile.routes.reduce((a, b) => (b.medianMs > a.medianMs ? b : a));
    const order = profile.routes
      .filter((r) => r !== slowest)
      .map((r, i) => ({ r, key: hash(this.seed, Draw.RouteOrder, index, i) }))
      .sort((a, b) => a.key - b.key)
      .map((e) => e.r);
    const chosen = new Set([slowest]);
    let weight = slowest.weight;
    for (const r of order) {
      if (weight >= totalWeight / 2) break;
      chosen.add(r);
      weight += r.weight;
    }
    // A route path served by several methods is one route on the dashboard; the model slows all of them.
    return [...new Set(profile.routes.filter((r) => chosen.has(r)).map((r) => r.route))];
  }
}

/** Incidents overlapping [from, to) for a schedule built from (seed, origin). */
export function incidentsBetween(options: IncidentScheduleOptions, from: number, to: number): Incident[] {
  return new IncidentSchedule(options).incidentsBetween(from, to);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
