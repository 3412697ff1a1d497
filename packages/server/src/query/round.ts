/** Powers of ten a fast round scales by: exact doubles, so `n / POW10[d]` is the double nearest n / 10^d. */
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
/** Past this the scaled value's ulp nears 1 and the fast path cannot tell the halfway point apart. */
const FAST_LIMIT = 2 ** 50;

/**
 * `value` to `digits` decimals, exactly as `Number(value.toFixed(digits))` (what every figure in a response
 * passes through), null when not finite. `toFixed` builds a string per call, ~20,000 calls in a per-route view
 * over an hour, so the nearest integer to value x 10^digits is found in floating point wherever the product's
 * rounding error (at most 2^-52 of it) cannot move it across a halfway point; then n / 10^digits, one
 * correctly rounded division, is the same double as the decimal text n x 10^-digits parsed. Near-ties, and
 * values too large for that bound, still go through `toFixed` (round.test.ts checks the two agree).
 */
export function round(value: number | null, digits = 3): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  // An integer's text has only zeros after the point (+ 0 turns -0 into 0, as the text "0.000" does).
  if (Number.isInteger(value)) return value + 0;
  const scale = POW10[digits];
  if (scale === undefined) return Number(value.toFixed(digits));
  // toFixed rounds the magnitude half away from zero and puts the sign back.
  const magnitude = Math.abs(value);
  const scaled = magnitude * scale;
  if (scaled >= FAST_LIMIT) return Number(value.toFixed(digits));
  const floor = Math.floor(scaled);
  // Exact: floor and scaled share their high bits.
  const fraction = scaled - floor;
  if (Math.abs(fraction - 0.5) <= scaled * 2 ** -51) return Number(value.toFixed(digits));
  const rounded = (fraction < 0.5 ? floor : floor + 1) / scale;
  return value < 0 ? -rounded : rounded;
}
