import { floorTo } from '@pulseboard/shared';
import { RingBuffer } from './ring.ts';

/**
 * One output bucket: per-service accumulators, the server's merge of them (`total`: null when nothing had data),
 * the seconds of it inside the window so far, and of those the seconds some services' data does not cover yet.
 */
export interface Bucket<A> {
  t: number;
  seconds: number;
  values: Map<string, A>;
  total: A | null;
  /**
   * Per service, seconds of `seconds` its data does not cover: it reports every N s and had not yet sent them
   * when the bucket was loaded (the series' `until`).
   */
  unknown: Map<string, number>;
  /**
   * Per service, seconds of `seconds` before its first data ever (the series' `since`): it did not exist yet.
   * Unlike `unknown` these never arrive, so a reload of the bucket keeps them.
   */
  before: Map<string, number>;
}

/** The seconds of a bucket that a service's data covers, which its count is divided by. */
export const knownSeconds = (bucket: Bucket<unknown>, service: string) =>
  bucket.seconds - (bucket.unknown.get(service) ?? 0) - (bucket.before.get(service) ?? 0);

/** The seconds of a bucket that a service has sent: all but those it reports later (`unknown`). */
export const sentSeconds = (bucket: Bucket<unknown>, service: string) =>
  bucket.seconds - (bucket.unknown.get(service) ?? 0);

export interface BucketEntry<A> {
  t: number;
  /** null: the merged series. */
  service: string | null;
  acc: A;
}

/** Where a service's data is complete up to (its series' `until`). */
export type Until = Iterable<[string, number]>;
/** Where a service's data begins, inside the range (its series' `since`). */
export type Since = Iterable<[string, number]>;

/**
 * A chart's data: the server's buckets for its window, then live seconds folded into the newest bucket (or
 * opening the next one). It holds the buckets that overlap the window (`span` back from where the data is
 * complete) and no more: as live data arrives the window slides, a bucket falls out as soon as it lies wholly
 * before it, and memory stays bounded. The server may snap a range's start out to a coarse bucket's edge
 * (seconds before the asked-for window), so the span is the asked-for one, not the response's.
 */
export class Buckets<A> {
  readonly ring: RingBuffer<Bucket<A>>;
  /** Data is complete up to here (exclusive); seconds before it are already counted. */
  private complete: number;
  /**
   * Closed buckets to read again from the server, and when (server time): their live seconds combined
   * percentiles approximately, or a service that reports every N s had not sent them yet (see `useRed`).
   */
  readonly unsettled = new Map<number, number>();

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

  /** Drops the buckets that lie wholly before the window. */
  private trim(): void {
    const from = this.window.from;
    while (this.ring.size > 0 && this.ring.at(0)!.t + this.step <= from) this.unsettled.delete(this.ring.shift()!.t);
  }

  /** Reads bucket t again at `at` (server time), while it is in the window. */
  settleAt(t: number, at: number): void {
    if (this.ring.at(0) !== undefined && t >= this.ring.at(0)!.t) this.unsettled.set(t, at);
  }

  /**
   * Buckets from a range response; `entries` may come in any order. `span`: the window asked for (default the
   * response's). `until`: series whose data ends before `to`; `since`: series whose data begins after `from`.
   */
  static build<A>(options: {
    step: number;
    from: number;
    to: number;
    span?: number;
    entries: Iterable<BucketEntry<A>>;
    until?: Until;
    since?: Since;
    add: (into: A, more: A) => void;
  }): Buckets<A> {
    const { step, from, to } = options;
    const span = Math.min(options.span ?? to - from, to - from);
    // Any window of this span overlaps at most this many aligned buckets.
    const buckets = new Buckets(step, span, to, options.add, Math.ceil(span / step) + 1);
    const untils = [...(options.until ?? [])].filter(([, until]) => until < to);
    const byT = new Map<number, Bucket<A>>();
    for (let t = floorTo(from, step); t < to; t += step) {
      // Only the part of a bucket inside [from, to) counts, as on the server.
      const start = Math.max(t, from);
      const end = Math.min(t + step, to);
      const unknown = new Map<string, number>();
      for (const [service, until] of untils) {
        if (until < end) unknown.set(service, (end - Math.max(start, until)) / 1000);
      }
      const before = new Map<string, number>();
      for (const [service, since] of options.since ?? []) {
        if (since > start) before.set(service, (Math.min(end, since) - start) / 1000);
      }
      byT.set(t, { t, seconds: (end - start) / 1000, values: new Map(), total: null, unknown, before });
    }
    for (const { t, service, acc } of options.entries) {
      const bucket = byT.get(t);
      if (!bucket) continue;
      if (service === null) bucket.total = acc;
      else bucket.values.set(service, acc);
    }
    for (const bucket of byT.values()) buckets.ring.push(bucket);
    buckets.trim();
    // Closed buckets that a service that reports every N s had not sent in full: read again once it has.
    for (const bucket of buckets.ring) {
      if (bucket.unknown.size > 0 && bucket.t + step < to) buckets.unsettled.set(bucket.t, Number.NEGATIVE_INFINITY);
    }
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
      // The load covered the whole bucket for every service (see `oneBucket`).
      bucket.unknown = new Map();
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
      bucket = { t: start, seconds: 0, values: new Map(), total: null, unknown: new Map(), before: new Map() };
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
    this.trim();
    return 'changed';
  }
}
