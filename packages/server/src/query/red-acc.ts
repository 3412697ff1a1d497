import { decodeSketch } from '../sketch/codec.ts';
import { mergedQuantiles } from '../sketch/encoded-merge.ts';
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
 * A `RedAcc` filled from stored rows. Its rows' encoded sketches are kept as they are and the percentiles
 * read from them merged as bytes (`mergedQuantiles`): most output buckets take one stored row (a 1 min step
 * read from the 1 min tier) and the rest a few (5 min from 1 min rows, 1 min from 10 s rows while the minute
 * is rebuilt), and building a sketch per bucket (its bin array grown and copied as rows widen it) was a third
 * of a day's view by route. A caller asking for `sketch` (a total, a spread row) gets the rows decoded into a
 * sketch of its own, in the order they came.
 */
export class StoredRedAcc implements RedAcc {
  count = 0;
  errors = 0;
  private readonly encoded: Uint8Array[] = [];
  private decoded: Sketch | null = null;

  get sketch(): Sketch {
    if (!this.decoded) {
      this.decoded = new Sketch();
      for (const bytes of this.encoded) decodeSketch(bytes, this.decoded);
      this.encoded.length = 0;
    }
    return this.decoded;
  }

  /** Adds a stored row's encoded sketch. */
  addEncoded(bytes: Uint8Array): void {
    if (this.decoded) decodeSketch(bytes, this.decoded);
    else this.encoded.push(bytes);
  }

  /** `RED_QUANTILES` into `out`. */
  quantiles(out: (number | null)[]): void {
    if (this.decoded) this.decoded.quantiles(RED_QUANTILES, out);
    else mergedQuantiles(this.encoded, RED_QUANTILES, out);
  }
}

/** `RED_QUANTILES` of any accumulator into `out`. */
export function redQuantiles(acc: RedAcc, out: (number | null)[]): void {
  if (acc instanceof StoredRedAcc) acc.quantiles(out);
  else acc.sketch.quantiles(RED_QUANTILES, out);
}
