/**
 * How many spans a received span stands for, from OpenTelemetry's probability-sampling threshold in its
 * W3C `tracestate` (specification "TraceState: Probability Sampling", v1.41+: the `ot` vendor entry's
 * `th` sub-key). `th` holds 1 to 14 lowercase hex digits, trailing zeros dropped, of a 56-bit rejection
 * threshold T: a span was kept with probability (2^56 - T) / 2^56, so it stands for the inverse. `th:0`
 * means every span was kept. Returns null when nothing says how the span was sampled (no `ot` entry, no
 * `th`, or a malformed one, which the spec says to treat as unknown): its count stays 1.
 */
export function adjustedCount(traceState: string): number | null {
  // Spans of one trace, and usually of a whole export, share one tracestate: parse each text once.
  if (traceState === lastState) return lastCount;
  lastState = traceState;
  lastCount = parse(traceState);
  return lastCount;
}

let lastState = '';
let lastCount: number | null = null;

function parse(traceState: string): number | null {
  if (!traceState.includes('ot=')) return null;
  const th = thresholdOf(traceState);
  if (th === null) return null;
  // In integers: a float holds 53 bits, so from th:fffffffffffffc up the threshold would round to 2^56 and
  // the kept share to 0, a count of Infinity. At most th:ffffffffffffff, one span in 2^56 kept.
  const kept = TWO_56 - BigInt(`0x${th.padEnd(14, '0')}`);
  return 2 ** 56 / Number(kept);
}

const TWO_56 = 1n << 56n;
const THRESHOLD = /^[0-9a-f]{1,14}$/;

/** The `th` value of the `ot` list member, if well formed. */
function thresholdOf(traceState: string): string | null {
  for (const member of traceState.split(',')) {
    const entry = member.trim();
    if (!entry.startsWith('ot=')) continue;
    for (const field of entry.slice(3).split(';')) {
      if (!field.startsWith('th:')) continue;
      const value = field.slice(3);
      return THRESHOLD.test(value) ? value : null;
    }
    return null;
  }
  return null;
}
