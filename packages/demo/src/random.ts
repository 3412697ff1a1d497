/**
 * Counter-based randomness: every value is a pure function of (seed, ...integers), never of call order.
 * That is what makes `observe(a, c)` equal `observe(a, b)` + `observe(b, c)`: a second's traffic is keyed
 * by the second itself, so how a window is cut into calls cannot change what is drawn for it.
 */

/** A source of uniform numbers in (0, 1). */
export type Uniform = () => number;

const TWO_32 = 4_294_967_296;

/** Finaliser from the "lowbias32" family: full avalanche on 32 bits with two multiplies. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one integer (any safe integer, including epoch ms and negatives) into a running hash. */
function fold(h: number, value: number): number {
  // Epoch milliseconds exceed 32 bits, so the high word is folded in too or distinct times would collide.
  const lo = value >>> 0;
  const hi = Math.floor(value / TWO_32) >>> 0;
  let next = mix32(h ^ lo);
  next = mix32(Math.imul(next, 0x9e3779b1) ^ hi);
  return next;
}

/**
 * Running hash state after (seed, ...ints). Hot loops hash a fixed prefix once and extend it with the
 * varying integer (usually the second), which gives the same result as hashing the whole tuple.
 */
export function hashPrefix(seed: number, ...ints: number[]): number {
  let h = fold(0x243f6a88, Math.floor(seed));
  for (const value of ints) h = fold(h, Math.floor(value));
  return h;
}

/** Extends a running hash state by one integer. */
export function hashExtend(state: number, value: number): number {
  return fold(state, Math.floor(value));
}

/** Finishes a running hash state into 32 well-mixed bits. */
export function hashFinish(state: number): number {
  return mix32(state ^ 0x85ebca6b);
}

/** 32-bit hash of (seed, ...ints). Non-integers are truncated toward negative infinity first. */
export function hash(seed: number, ...ints: number[]): number {
  return hashFinish(hashPrefix(seed, ...ints));
}

/** Maps 32 bits to the open interval (0, 1): never 0 so logs and inverse CDFs stay finite. */
export function toUnit(bits: number): number {
  return (bits + 0.5) / TWO_32;
}

/** A single uniform in (0, 1) for (seed, ...ints). */
export function uniformAt(seed: number, ...ints: number[]): number {
  return toUnit(hash(seed, ...ints));
}

/**
 * A re-keyable stream of uniforms: after `reset(state)` the k-th call of `next` depends only on the hash
 * state and k. Reusing one instance avoids a closure per series-second in the hot loops; two 32-bit key
 * words keep millions of streams from aliasing.
 */
export class Stream {
  private k1 = 0;
  private k2 = 0;
  private counter = 0;

  /** Re-keys the stream from a running hash state (see `hashPrefix`) and rewinds it. */
  reset(state: number): this {
    this.k1 = hashFinish(state);
    this.k2 = mix32(this.k1 ^ 0x5bd1e995);
    this.counter = 0;
    return this;
  }

  readonly next: Uniform = () => {
    const c = this.counter++;
    return toUnit(mix32(mix32(this.k1 ^ Math.imul(c, 0x9e3779b1)) ^ this.k2));
  };
}

/** An independent stream of uniforms for (seed, ...ints). */
export function stream(seed: number, ...ints: number[]): Uniform {
  return new Stream().reset(hashPrefix(seed, ...ints)).next;
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 * Inversion rather than Box-Muller so one uniform yields one normal, which keeps streams aligned and lets
 * the summary path evaluate exact quantiles with the same function.
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1)
    );
  }
  if (p > 1 - pLow) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
      3.066479806614716e1) *
      r +
      2.506628277459239) *
      q) /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
      1.328068155288572e1) *
      r +
      1)
  );
}

/** A standard normal draw. */
export function normal(u: Uniform): number {
  return normalQuantile(u());
}

/** A lognormal draw given its median (e^mu) and sigma of the underlying normal. */
export function lognormal(u: Uniform, median: number, sigma: number): number {
  return median * Math.exp(sigma * normalQuantile(u()));
}

/** Above this mean the normal approximation is used; inversion costs O(lambda) multiplications. */
const POISSON_INVERSION_LIMIT = 60;

/** A Poisson draw from a single uniform (so each draw consumes exactly one value of the stream). */
export function poisson(u: Uniform, lambda: number): number {
  if (!(lambda > 0)) return 0;
  const x = u();
  if (lambda > POISSON_INVERSION_LIMIT) {
    const n = Math.round(lambda + Math.sqrt(lambda) * normalQuantile(x));
    return Math.max(n, 0);
  }
  let k = 0;
  let p = Math.exp(-lambda);
  let cumulative = p;
  while (x > cumulative && k < 1000) {
    k++;
    p *= lambda / k;
    cumulative += p;
  }
  return k;
}

/**
 * Smooth value noise in [-1, 1]: random knots every `periodMs`, cosine-interpolated, so gauges wander
 * instead of jumping each second. Keyed by absolute time, hence identical however a window is split.
 * The last pair of knots is cached because consecutive seconds almost always fall between the same two.
 */
export class SmoothNoise {
  private readonly prefix: number;
  private knot = Number.NaN;
  private a = 0;
  private b = 0;

  constructor(
    seed: number,
    key: readonly number[],
    private readonly periodMs: number,
  ) {
    this.prefix = hashPrefix(seed, ...key);
  }

  at(t: number): number {
    const x = t / this.periodMs;
    const knot = Math.floor(x);
    if (knot !== this.knot) {
      this.knot = knot;
      this.a = toUnit(hashFinish(hashExtend(this.prefix, knot))) * 2 - 1;
      this.b = toUnit(hashFinish(hashExtend(this.prefix, knot + 1))) * 2 - 1;
    }
    const w = (1 - Math.cos(Math.PI * (x - knot))) / 2;
    return this.a + (this.b - this.a) * w;
  }
}
