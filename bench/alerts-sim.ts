/**
 * The demo's traffic as an alert signal source, without a server: the generator's pre-aggregated 10 s
 * buckets (`summarize`, statistically the same as live traffic) folded into per-service request totals
 * and CPU means, read back exactly as `store-signals.ts` reads the store (same signal definitions).
 */
import { CPU_METRIC, parseSignal, type Signal } from '@pulseboard/shared';
import type { DemoGenerator } from '../packages/demo/src/index.ts';
import type { SignalHistory, SignalWindow } from '../packages/server/src/alerts/detectors/types.ts';
import type { SignalSource } from '../packages/server/src/alerts/evaluator.ts';
import { type RedTotals, signalValue } from '../packages/server/src/alerts/signal-values.ts';
import type { SampleAcc } from '../packages/server/src/query/samples.ts';
import { Sketch } from '../packages/server/src/sketch/sketch.ts';

export const STEP_MS = 10_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Buckets are kept this long behind the newest loaded: a load is 10 minutes, a window up to another 10. */
const KEEP_BUCKETS_MS = 20 * MINUTE;
/** Per-minute values are kept a day and an hour, for "the same time a day earlier". */
const KEEP_MINUTES_MS = DAY + 2 * HOUR;

interface Bucket {
  red: RedTotals;
  /** Sum and count of per-instance CPU means over the bucket. */
  cpuSum: number;
  cpuCount: number;
  cpuMax: number;
}

type MinuteValues = Map<string, number>;

export class SimulatedSignals implements SignalSource {
  private readonly buckets = new Map<string, Map<number, Bucket>>();
  private readonly minutes = new Map<string, Map<number, MinuteValues>>();
  private readonly signals = new Set<string>();

  constructor(
    private readonly generator: DemoGenerator,
    signals: readonly string[],
  ) {
    for (const s of signals) this.signals.add(s);
  }

  /** Adds the demo's traffic for [from, to) (whole minutes). */
  load(from: number, to: number): void {
    const summary = this.generator.summarize(from, to, STEP_MS);
    for (const r of summary.requests) {
      const bucket = this.bucket(r.service, r.t);
      bucket.red.count += r.count;
      if (r.status >= 500) bucket.red.errors += r.count;
      for (const [latency, count] of r.latencies) bucket.red.sketch.add(latency, count);
    }
    for (const g of summary.gauges) {
      const bucket = this.bucket(g.service, g.t);
      bucket.cpuSum += g.cpu;
      bucket.cpuCount += 1;
      bucket.cpuMax = Math.max(bucket.cpuMax, g.cpu);
    }
    for (let m = from; m < to; m += MINUTE) this.closeMinute(m);
    this.forget(to);
  }

  services(): string[] {
    return this.generator.services();
  }

  async window(service: string, text: string, from: number, to: number): Promise<SignalWindow> {
    const signal = parseSignal(text);
    if (!signal) return { value: null, count: 0 };
    return this.value(service, signal, from, to);
  }

  async history(service: string, text: string, now: number, windowMs: number): Promise<SignalHistory> {
    if (windowMs !== MINUTE) throw new RangeError('the simulation keeps baselines for 1m windows only');
    const values: number[] = [];
    const own = this.minutes.get(service);
    const spans: [number, number][] = [
      [floor(now - HOUR, MINUTE), floor(now - windowMs, MINUTE)],
      [floor(now - DAY - HOUR / 2, MINUTE), floor(now - DAY + HOUR / 2, MINUTE)],
    ];
    for (const [from, to] of spans) {
      for (let m = from; m < to; m += MINUTE) {
        const value = own?.get(m)?.get(text);
        if (value !== undefined) values.push(value);
      }
    }
    return { values, coveredMs: values.length * MINUTE };
  }

  async activeServices(): Promise<readonly string[]> {
    return this.generator.services();
  }

  async seen(): Promise<boolean> {
    return true;
  }

  private value(service: string, signal: Signal, from: number, to: number): SignalWindow {
    const own = this.buckets.get(service);
    const red: RedTotals = { count: 0, errors: 0, sketch: new Sketch() };
    const sample: SampleAcc = { count: 0, sum: 0, min: Infinity, max: -Infinity, last: 0, lastT: 0, sketch: null };
    for (let t = Math.ceil(from / STEP_MS) * STEP_MS; t < to; t += STEP_MS) {
      const b = own?.get(t);
      if (!b) continue;
      if (signal.kind === 'red') {
        red.count += b.red.count;
        red.errors += b.red.errors;
        red.sketch.merge(b.red.sketch);
      } else if (signal.metric === CPU_METRIC && b.cpuCount > 0) {
        sample.count += b.cpuCount;
        sample.sum += b.cpuSum;
        sample.max = Math.max(sample.max, b.cpuMax);
        sample.min = Math.min(sample.min, b.cpuSum / b.cpuCount);
      }
    }
    return signalValue(signal, { red, sample }, (to - from) / 1000);
  }

  private bucket(service: string, t: number): Bucket {
    let own = this.buckets.get(service);
    if (!own) this.buckets.set(service, (own = new Map()));
    let b = own.get(t);
    if (!b) {
      b = { red: { count: 0, errors: 0, sketch: new Sketch() }, cpuSum: 0, cpuCount: 0, cpuMax: 0 };
      own.set(t, b);
    }
    return b;
  }

  /** Keeps each signal's value for the minute [m, m + 1m), the way the store's history read would see it. */
  private closeMinute(m: number): void {
    for (const service of this.generator.services()) {
      const values: MinuteValues = new Map();
      for (const text of this.signals) {
        const signal = parseSignal(text);
        if (!signal) continue;
        const { value, count } = this.value(service, signal, m, m + MINUTE);
        if (value !== null && count > 0) values.set(text, value);
      }
      let own = this.minutes.get(service);
      if (!own) this.minutes.set(service, (own = new Map()));
      own.set(m, values);
    }
  }

  private forget(now: number): void {
    for (const own of this.buckets.values()) for (const t of own.keys()) if (t < now - KEEP_BUCKETS_MS) own.delete(t);
    for (const own of this.minutes.values()) for (const t of own.keys()) if (t < now - KEEP_MINUTES_MS) own.delete(t);
  }
}

const floor = (t: number, step: number) => Math.floor(t / step) * step;
