import { bucketCount, floorTo } from '@pulseboard/shared';
import { RingBuffer } from './ring.ts';

/**
 * One output bucket: per-service accumulators, the server's merge of them (`total`: null when nothing had data),
 * and the seconds of it the data covers so far.
 */
export interface Bucket<A> {
  t: number;
  seconds: number;
  values: Map<string, A>;
  total: A | null;
}

export interface BucketEntry<A> {
  t: number;
  /** null: the merged series. */
  service: string | null;
  acc: A;
}

/**
 * A chart's data: the server's buckets for its window, then live seconds folded into the newest bucket (or
 * opening the next one). Capacity is the window's bucket count, so as live data arrives the oldest bucket
 * falls out and the window slides with bounded memory.
 */
export class Buckets<A> {
  readonly ring: RingBuffer<Bucket<A>>;
  /** Data is complete up to here (exclusive); seconds before it are already counted. */
  private complete: number;

  private constructor(
    readonly step: number,
    readonly span: number,
    to: number,
    private readonly add: (into: A, more: A) => void,
    capacity: number,
  ) {
    this.ring = new RingBuffer(capacity);
    this.complete = to;
  }

  /** Buckets from a range response; `entries` may come in any order. */
  static build<A>(options: {
    step: number;
    from: number;
    to: number;
    entries: Iterable<BucketEntry<A>>;
    add: (into: A, more: A) => void;
  }): Buckets<A> {
    const { step, from, to } = options;
    const buckets = new Buckets(step, to - from, to, options.add, bucketCount(from, to, step) + 1);
    const byT = new Map<number, Bucket<A>>();
    for (let t = floorTo(from, step); t < to; t += step) {
      // Only the part of a bucket inside [from, to) counts, as on the server.
      const seconds = (Math.min(t + step, to) - Math.max(t, from)) / 1000;
      byT.set(t, { t, seconds, values: new Map(), total: null });
    }
    for (const { t, service, acc } of options.entries) {
      const bucket = byT.get(t);
      if (!bucket) continue;
      if (service === null) bucket.total = acc;
      else bucket.values.set(service, acc);
    }
    for (const bucket of byT.values()) buckets.ring.push(bucket);
    return buckets;
  }

  /** The window the data covers now: it slides forward as live seconds arrive. */
  get window(): { from: number; to: number } {
    return { from: this.complete - this.span, to: this.complete };
  }

  /** Every service seen in the data. */
  services(): Set<string> {
    const names = new Set<string>();
    for (const bucket of this.ring) for (const name of bucket.values.keys()) names.add(name);
    return names;
  }

  /**
   * Replaces a bucket's data with a load of it from the server (live seconds folded into it combined their
   * percentiles approximately; the server merges sketches). False when the bucket has left the window.
   */
  replace(t: number, values: Map<string, A>, total: A | null): boolean {
    for (const bucket of this.ring) {
      if (bucket.t !== t) continue;
      bucket.values = values;
      bucket.total = total;
      return true;
    }
    return false;
  }

  /**
   * Folds one live interval [t, t + seconds) in, with its merge of the services (`total`). `stale`: already
   * counted; `gap`: seconds between the data and this one are missing (the caller reloads); `changed`: added.
   */
  addTick(
    t: number,
    seconds: number,
    values: Iterable<[string, A]>,
    total: A | null = null,
  ): 'stale' | 'gap' | 'changed' {
    if (t < this.complete) return 'stale';
    if (t > this.complete) return 'gap';
    const start = floorTo(t, this.step);
    let bucket = this.ring.at(-1);
    if (!bucket || bucket.t < start) {
      bucket = { t: start, seconds: 0, values: new Map(), total: null };
      this.ring.push(bucket);
    }
    bucket.seconds = Math.min(this.step / 1000, bucket.seconds + seconds);
    for (const [service, acc] of values) {
      const into = bucket.values.get(service);
      if (into) this.add(into, acc);
      else bucket.values.set(service, acc);
    }
    if (total) {
      if (bucket.total) this.add(bucket.total, total);
      else bucket.total = total;
    }
    this.complete = t + seconds * 1000;
    return 'changed';
  }
}
