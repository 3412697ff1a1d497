/**
 * A fast answer is only worth having if it is right: compares the p50/p95/p99 the server returned for
 * each service-minute with exact quantiles of what was sent. The server's sketches promise about 1%
 * relative accuracy, so the maximum error here should stay near that. Runs after timing, never inside it.
 */
import type { RedResponse } from './query.ts';
import { SERVICES, serviceName, timestampOf, type Workload } from './workload.ts';

export interface AccuracyResult {
  /** Service-minutes compared (both sides non-empty). */
  cells: number;
  /** Per quantile: largest and median relative error across cells. */
  p50: { max: number; median: number };
  p95: { max: number; median: number };
  p99: { max: number; median: number };
  /** Cells whose count differs from what was sent in that minute. */
  countMismatches: number;
  /** Service-minutes with data sent but missing from the response (or the reverse). */
  missing: number;
}

const MINUTE = 60_000;
const QS = [0.5, 0.95, 0.99] as const;

/** The same rank rule as the server's sketch: the value at index floor(q * (n - 1)) of the sorted data. */
function exactQuantile(sorted: Float32Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

function summarize(errors: number[]): { max: number; median: number } {
  if (errors.length === 0) return { max: 0, median: 0 };
  const sorted = [...errors].sort((a, b) => a - b);
  return { max: sorted.at(-1)!, median: sorted[sorted.length >> 1]! };
}

export function checkAccuracy(w: Workload, response: RedResponse, from: number, to: number): AccuracyResult {
  const minutes = Math.round((to - from) / MINUTE);
  const cells = minutes * SERVICES;
  // Counting sort of the sent latencies into (minute, service) cells: two passes, one flat array.
  const counts = new Uint32Array(cells);
  const cellOf = (i: number): number => {
    const ts = timestampOf(w, i);
    if (ts < from || ts >= to) return -1;
    return Math.floor((ts - from) / MINUTE) * SERVICES + w.service[i]!;
  };
  for (let i = 0; i < w.observations; i++) {
    const c = cellOf(i);
    if (c >= 0) counts[c]!++;
  }
  const offsets = new Uint32Array(cells + 1);
  for (let c = 0; c < cells; c++) offsets[c + 1] = offsets[c]! + counts[c]!;
  const values = new Float32Array(offsets[cells]!);
  const fill = offsets.slice(0, cells);
  for (let i = 0; i < w.observations; i++) {
    const c = cellOf(i);
    if (c >= 0) values[fill[c]!++] = w.latency[i]!;
  }

  const errors: number[][] = [[], [], []];
  let countMismatches = 0;
  let compared = 0;
  const seen = new Uint8Array(cells);
  for (const series of response.series) {
    const s = Array.from({ length: SERVICES }, (_, k) => serviceName(k)).indexOf(series.service);
    if (s < 0) continue;
    for (const p of series.points) {
      const m = Math.round((p.t - from) / MINUTE);
      if (m < 0 || m >= minutes || p.count === 0) continue;
      const c = m * SERVICES + s;
      seen[c] = 1;
      if (p.count !== counts[c]) countMismatches++;
      if (counts[c] === 0) continue;
      const sorted = values.subarray(offsets[c]!, offsets[c + 1]!).sort();
      const got = [p.p50, p.p95, p.p99];
      QS.forEach((q, k) => {
        const exact = exactQuantile(sorted, q);
        const value = got[k];
        errors[k]!.push(value == null ? Number.POSITIVE_INFINITY : Math.abs(value - exact) / exact);
      });
      compared++;
    }
  }
  let missing = 0;
  for (let c = 0; c < cells; c++) if (counts[c]! > 0 !== (seen[c] === 1)) missing++;

  return {
    cells: compared,
    p50: summarize(errors[0]!),
    p95: summarize(errors[1]!),
    p99: summarize(errors[2]!),
    countMismatches,
    missing,
  };
}
