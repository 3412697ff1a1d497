/**
 * The per-second traffic model shared by `observe` (which samples it request by request) and `summarize`
 * (which integrates it per bucket). Keeping every rate, share and factor in one place is what makes the two
 * paths agree statistically.
 */

import { type Incident, IncidentSchedule } from './incidents.ts';
import { SERVICES } from './profiles.ts';
import { hashExtend, hashFinish, hashPrefix, SmoothNoise, toUnit, uniformAt } from './random.ts';

/** The quietest hour carries this share of the peak's traffic. */
export const TROUGH_SHARE = 0.3;
/** Where in the day the peak sits (14:00 UTC with a 24 h day), before each service's own shift. */
export const PEAK_PHASE = 14 / 24;

/** Traffic spikes: at most one per service per slot, shorter than a slot so one slot decides a second. */
const SPIKE_SLOT_MS = 5 * 60_000;
const SPIKE_CHANCE = 0.3;
const SPIKE_MIN_MS = 10_000;
const SPIKE_MAX_MS = 60_000;

/** First integer of every hash key, so the independent random quantities never share a stream. */
export const Channel = {
  Rate: 1,
  RateFast: 2,
  Latency: 3,
  Cpu: 4,
  CpuJitter: 5,
  Memory: 6,
  MemoryPeriod: 7,
  Spike: 8,
  Requests: 9,
  Summary: 10,
} as const;

export interface Spike {
  service: string;
  start: number;
  end: number;
  /** Multiplier on the request rate. */
  factor: number;
}

/** What one service looks like during one second. Reused between calls to avoid garbage in hot loops. */
export interface SecondState {
  silent: boolean;
  /** Expected requests in this second across the whole service. */
  rate: number;
  /** Rate relative to the service's peak; drives CPU. */
  load: number;
  /** Multiplier on every route's latency (load, spikes, drift). */
  latencyFactor: number;
  /** Extra multiplier for routes in `latencyRoutes`; 1 outside a latency incident. */
  incidentLatency: number;
  latencyRoutes: readonly boolean[] | null;
  /** Share of requests answered 5xx. */
  errorShare: number;
  /** CPU level forced by an incident, or 0. */
  cpuFloor: number;
}

/** Per-service noise sources, built once so hot loops only extend precomputed hash prefixes. */
interface ServiceNoise {
  rate: SmoothNoise;
  rateFast: SmoothNoise;
  latency: SmoothNoise;
  instances: Array<{
    cpuDrift: SmoothNoise;
    cpuJitter: number;
    memoryWobble: SmoothNoise;
    memoryPeriod: number;
    memoryPhase: number;
  }>;
}

interface ActiveIncident {
  incident: Incident;
  routeMask: boolean[];
}

export class TrafficModel {
  readonly seed: number;
  readonly dayLengthMs: number;
  readonly schedule: IncidentSchedule;
  private active: ActiveIncident[][] = SERVICES.map(() => []);
  private readonly spikeCache = SERVICES.map(() => ({ slot: Number.NaN, start: 0, end: 0, factor: 1 }));
  private readonly services: ServiceNoise[];

  constructor(seed: number, origin: number, dayLengthMs: number) {
    this.seed = seed;
    this.dayLengthMs = dayLengthMs;
    this.schedule = new IncidentSchedule({ seed, origin });
    this.services = SERVICES.map((s, si) => ({
      rate: new SmoothNoise(seed, [Channel.Rate, si], 90_000),
      rateFast: new SmoothNoise(seed, [Channel.RateFast, si], 7_000),
      latency: new SmoothNoise(seed, [Channel.Latency, si], 120_000),
      instances: s.instances.map((_, ii) => ({
        cpuDrift: new SmoothNoise(seed, [Channel.Cpu, si, ii], 20_000),
        cpuJitter: hashPrefix(seed, Channel.CpuJitter, si, ii),
        memoryWobble: new SmoothNoise(seed, [Channel.Memory, si, ii], 30_000),
        // A sawtooth of 20-60 minutes per instance: heap growth, then a collection.
        memoryPeriod: 20 * 60_000 + uniformAt(seed, Channel.MemoryPeriod, si, ii) * 40 * 60_000,
        memoryPhase: uniformAt(seed, Channel.Memory, si, ii),
      })),
    }));
  }

  /** Loads the incidents overlapping [from, to); `state` only consults these. */
  prepare(from: number, to: number): void {
    this.active = SERVICES.map(() => []);
    for (const incident of this.schedule.incidentsBetween(from, to)) {
      const si = SERVICES.findIndex((s) => s.name === incident.service);
      const profile = SERVICES[si];
      if (!profile) continue;
      const routeMask = profile.routes.map((r) => incident.routes.includes(r.route));
      this.active[si]!.push({ incident, routeMask });
    }
  }

  /** The daily curve in [TROUGH_SHARE, 1] for service `si` at time t. */
  daily(si: number, t: number): number {
    const shift = SERVICES[si]!.phaseShift;
    const phase = t / this.dayLengthMs + shift - PEAK_PHASE;
    return TROUGH_SHARE + (1 - TROUGH_SHARE) * (0.5 + 0.5 * Math.cos(2 * Math.PI * phase));
  }

  /** The spike of service `si` in the slot containing t, if any (factor 1 means none). */
  spikeAt(si: number, t: number): { start: number; end: number; factor: number } {
    const slot = Math.floor(t / SPIKE_SLOT_MS);
    const cached = this.spikeCache[si]!;
    if (cached.slot === slot) return cached;
    cached.slot = slot;
    cached.factor = 1;
    cached.start = 0;
    cached.end = 0;
    if (uniformAt(this.seed, Channel.Spike, si, slot, 0) < SPIKE_CHANCE) {
      const duration = SPIKE_MIN_MS + uniformAt(this.seed, Channel.Spike, si, slot, 1) * (SPIKE_MAX_MS - SPIKE_MIN_MS);
      const durationS = Math.round(duration / 1000);
      const offsetS = Math.floor(uniformAt(this.seed, Channel.Spike, si, slot, 2) * (SPIKE_SLOT_MS / 1000 - durationS));
      cached.start = slot * SPIKE_SLOT_MS + offsetS * 1000;
      cached.end = cached.start + durationS * 1000;
      cached.factor = Math.round((2 + uniformAt(this.seed, Channel.Spike, si, slot, 3) * 2) * 100) / 100;
    }
    return cached;
  }

  /** Spikes overlapping [from, to). */
  spikesBetween(from: number, to: number): Spike[] {
    const out: Spike[] = [];
    for (let slot = Math.floor(from / SPIKE_SLOT_MS); slot * SPIKE_SLOT_MS < to; slot++) {
      SERVICES.forEach((s, si) => {
        const spike = this.spikeAt(si, slot * SPIKE_SLOT_MS);
        if (spike.factor > 1 && spike.start < to && spike.end > from) {
          out.push({ service: s.name, start: spike.start, end: spike.end, factor: spike.factor });
        }
      });
    }
    return out.sort((a, b) => a.start - b.start);
  }

  /** Fills `out` with service `si`'s state for the second starting at `t` (a multiple of 1000). */
  state(si: number, t: number, out: SecondState): SecondState {
    const profile = SERVICES[si]!;
    out.silent = false;
    out.incidentLatency = 1;
    out.latencyRoutes = null;
    out.errorShare = profile.errorShare;
    out.cpuFloor = 0;
    for (const { incident, routeMask } of this.active[si]!) {
      if (t < incident.start || t >= incident.end) continue;
      if (incident.kind === 'silent') out.silent = true;
      else if (incident.kind === 'errors') out.errorShare = incident.magnitude;
      else if (incident.kind === 'cpu') out.cpuFloor = incident.magnitude;
      else {
        out.incidentLatency = incident.magnitude;
        out.latencyRoutes = routeMask;
      }
    }
    const spike = this.spikeAt(si, t);
    const spikeFactor = t >= spike.start && t < spike.end ? spike.factor : 1;
    const daily = this.daily(si, t);
    const sources = this.services[si]!;
    const noise = 1 + 0.1 * sources.rate.at(t) + 0.04 * sources.rateFast.at(t);
    out.rate = out.silent ? 0 : profile.peakRps * daily * noise * spikeFactor;
    out.load = out.rate / profile.peakRps;
    const busy = (daily - TROUGH_SHARE) / (1 - TROUGH_SHARE);
    out.latencyFactor = (1 + 0.3 * busy) * (1 + 0.12 * (spikeFactor - 1)) * (1 + 0.05 * sources.latency.at(t));
    return out;
  }

  /** CPU utilisation (0..1) of instance `ii` during a second whose service state is `state`. */
  cpu(si: number, ii: number, t: number, state: SecondState): number {
    const profile = SERVICES[si]!;
    const sources = this.services[si]!.instances[ii]!;
    const jitter = toUnit(hashFinish(hashExtend(sources.cpuJitter, t / 1000)));
    if (state.cpuFloor > 0) return round4(Math.min(1, state.cpuFloor + jitter * 0.04));
    // Capped load keeps traffic spikes from reaching incident-level CPU and muddying the ground truth.
    const drift = 0.03 * sources.cpuDrift.at(t);
    const value = profile.cpuIdle + profile.cpuPerPeak * Math.min(state.load, 1.4) + drift + (jitter - 0.5) * 0.01;
    return round4(Math.min(1, Math.max(0.005, value)));
  }

  /** Resident memory in bytes of instance `ii` at t. */
  memory(si: number, ii: number, t: number): number {
    const profile = SERVICES[si]!;
    const sources = this.services[si]!.instances[ii]!;
    const phase = t / sources.memoryPeriod + sources.memoryPhase;
    const sawtooth = phase - Math.floor(phase);
    const wobble = 0.01 * sources.memoryWobble.at(t);
    return Math.round(profile.memoryBytes * (1 + profile.memoryGrowth * sawtooth + wobble));
  }
}

export function newSecondState(): SecondState {
  return {
    silent: false,
    rate: 0,
    load: 0,
    latencyFactor: 1,
    incidentLatency: 1,
    latencyRoutes: null,
    errorShare: 0,
    cpuFloor: 0,
  };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Hundredths of a millisecond: plenty for a dashboard and keeps the JSON short. */
export function roundLatency(ms: number): number {
  return Math.max(0.01, Math.round(ms * 100) / 100);
}
