/**
 * Turns "n requests from this lognormal" into a few (latency, count) pairs whose merged quantiles match what
 * n individual draws would give, without drawing n values.
 */

import { roundLatency } from './model.ts';
import { normalQuantile, type Uniform } from './random.ts';

/**
 * Quantile strata. Each pair stands for its members at their mean probability, so a quantile read back
 * from many merged buckets is exact at a stratum's centre and off by up to half a stratum elsewhere: the
 * strata are therefore centred on p50, p90, p95 and p99, the quantiles the dashboard and rules read, and
 * no wider than 0.1 elsewhere so routes with different medians still mix into the right shape.
 */
const STRATA = [0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.82, 0.88, 0.92, 0.935, 0.965, 0.985, 0.995, 1];
/** Two components (normal and incident-affected) of up to one pair per stratum each. */
const MAX_PAIRS = 2 * (STRATA.length - 1);

/** Latencies snap to a 0.5% geometric grid: finer than the store's sketch, coarse enough to repeat. */
const GRID_LOG = Math.log(1.005);
/** Grid steps of latencies from 1e-5 ms up to 1e7 ms fit in [-GRID_OFFSET, GRID_OFFSET). */
const GRID_OFFSET = 4096;
const CACHED_COUNT_LIMIT = 256;

export type LatencyPair = readonly [valueMs: number, count: number];

/**
 * Collects the pairs of one bucket. Pairs come from a cache of frozen tuples: a day of 10 s buckets holds
 * millions of pairs, allocating each one dominated the cost, and on the grid most (value, count) pairs recur.
 */
export class LatencyStrata {
  private readonly steps = new Float64Array(MAX_PAIRS);
  private readonly counts = new Float64Array(MAX_PAIRS);
  private length = 0;
  /** Indexed by grid step + GRID_OFFSET, then by count. */
  private readonly cache: Array<Array<LatencyPair> | undefined> = [];

  clear(): void {
    this.length = 0;
  }

  /**
   * Adds `count` requests from lognormal(logMedian, sigma): they sit at probabilities (j + offset) / count
   * (systematic sampling with one random offset), grouped by stratum, one pair per non-empty stratum at the
   * mean probability of its members. Small counts thus become exact stratified samples.
   */
  add(count: number, logMedian: number, sigma: number, u: Uniform): void {
    if (count <= 0) return;
    const offset = u();
    if (count === 1) {
      // The common case for 4xx/5xx series: a single request, drawn exactly.
      this.push(logMedian + sigma * normalQuantile(offset), 1);
      return;
    }
    let start = 0;
    for (let k = 1; k < STRATA.length; k++) {
      const end = k === STRATA.length - 1 ? count : Math.max(start, Math.ceil(count * STRATA[k]! - offset));
      if (end > start) {
        const p = ((start + end - 1) / 2 + offset) / count;
        this.push(logMedian + sigma * normalQuantile(p), end - start);
      }
      start = end;
    }
  }

  /** The pairs added since `clear()`, in an array of exactly their number (millions of these are kept). */
  pairs(): LatencyPair[] {
    const out = new Array<LatencyPair>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.pair(this.steps[i]!, this.counts[i]!);
    return out;
  }

  private push(logValue: number, count: number): void {
    this.steps[this.length] = Math.round(logValue / GRID_LOG);
    this.counts[this.length] = count;
    this.length++;
  }

  private pair(step: number, count: number): LatencyPair {
    const slot = step + GRID_OFFSET;
    if (count >= CACHED_COUNT_LIMIT || slot < 0 || slot >= 2 * GRID_OFFSET) return makePair(step, count);
    let byCount = this.cache[slot];
    if (!byCount) {
      byCount = [];
      this.cache[slot] = byCount;
    }
    let pair = byCount[count];
    if (!pair) {
      pair = makePair(step, count);
      byCount[count] = pair;
    }
    return pair;
  }
}

function makePair(step: number, count: number): LatencyPair {
  return Object.freeze([roundLatency(Math.exp(step * GRID_LOG)), count] as const);
}
