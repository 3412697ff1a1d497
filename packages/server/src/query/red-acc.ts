import { decodeSketch, encodedQuantiles } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';

/** Requests of one service (or route) merged over one output bucket. */
export interface RedAcc {
  count: number;
  errors: number;
  readonly sketch: Sketch;
}

/** The percentiles a RED point shows, ascending, as `Sketch.quantiles` wants them. */
export const RED_QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * A `RedAcc` filled from stored rows. Most output buckets take exactly one stored row (a 1 min step read
 * from the 1 min tier), so its encoded sketch is kept as it is and the percentiles are read straight from it
 * (3,000 buckets in a read by route over an hour, each a sketch and bin array to build otherwise). A second
 * row, or a caller asking for `sketch`, decodes it into a sketch of its own first; the rows then go into it
 * in the order they came, as they went into a new sketch before.
 */
export class StoredRedAcc implements RedAcc {
  count = 0;
  errors = 0;
  private encoded: Uint8Array | null = null;
  private decoded: Sketch | null = null;

  get sketch(): Sketch {
    if (!this.decoded) {
      this.decoded = this.encoded ? decodeSketch(this.encoded) : new Sketch();
      this.encoded = null;
    }
    return this.decoded;
  }

  /** Adds a stored row's encoded sketch. */
  addEncoded(bytes: Uint8Array): void {
    if (!this.decoded && !this.encoded) this.encoded = bytes;
    else decodeSketch(bytes, this.sketch);
  }

  /** `RED_QUANTILES` into `out`. */
  quantiles(out: (number | null)[]): void {
    if (!this.encoded) {
      this.sketch.quantiles(RED_QUANTILES, out);
      return;
    }
    encodedQuantiles(this.encoded, RED_QUANTILES, out);
  }
}

/** `RED_QUANTILES` of any accumulator into `out`. */
export function redQuantiles(acc: RedAcc, out: (number | null)[]): void {
  if (acc instanceof StoredRedAcc) acc.quantiles(out);
  else acc.sketch.quantiles(RED_QUANTILES, out);
}
