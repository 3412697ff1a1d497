import {
  type BucketStats,
  type ExplicitPoint,
  MATERIALIZED_FROM,
  mergeStats,
  ROUTE_TIER_FROM,
  SAMPLE_TIER_FROM,
  TIER_RESOLUTIONS,
} from '../model.ts';
import { encodeSketch } from '../sketch/codec.ts';
import { binOf, Sketch } from '../sketch/sketch.ts';
import { type Rows, RowsBuilder } from '../store/rows.ts';
import { type SeenSpan, type SeriesRecord, widenSeen } from '../store/store.ts';
import { BucketBudget } from './bucket-budget.ts';
import { addExplicit, type LayoutCounts, spreadInto } from './explicit-counts.ts';
import { addLive, type LiveSeconds, liveStats } from './live-stats.ts';
import { copySketch, RedRows } from './red-rows.ts';
import { explicitPieces } from './spread.ts';

/**
 * Running aggregate of one series over one bucket. Explicit histogram points wait in `layouts` until
 * `settle` spreads them into the sketch and the stats (count is always up to date).
 */
interface Acc extends BucketStats {
  sketch: Sketch | null;
  layouts: LayoutCounts[] | null;
}

export interface FoldInput {
  record: SeriesRecord;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
  /** How many observations each value stands for (pre-aggregated history); 1 each when absent. */
  weights?: ArrayLike<number>;
  explicit?: readonly ExplicitPoint[] | undefined;
  /** How often the series reports (ms), when known (OTLP points' spans), and up to when it has. */
  interval?: number | undefined;
  /** The span of a cumulative series' first point, when that is all there is (see SeriesSamples). */
  firstSpan?: number | undefined;
  reportedUntil?: number | undefined;
  /** The reporting process when the series names no instance (see SeriesSamples). */
  reportedBy?: string | undefined;
}

export interface FoldOptions {
  /** Skip finer tiers: a history backfill writes 10 s and coarser buckets only. */
  fromTier?: number;
  /** Seconds before this have had their live frame already; they are not collected for the stream. */
  liveFrom?: number;
  /**
   * Per tier from MATERIALIZED_FROM up: buckets starting before this are written directly; newer ones
   * are only marked dirty, to be rebuilt from the tier below. Absent: everything is written directly.
   */
  directBefore?: readonly number[];
  /**
   * At most this many buckets (rows of the commit): per series from 10 s up, per service and per route at every tier
   * (see `BucketBudget`). Per second of series would count a 60 s OTLP point 60 times, for one shared sketch
   * per second of its service; a week of one series, a point a minute, opens ~7 a point.
   */
  maxBuckets?: number;
}

export interface Folded {
  rows: Rows;
  /** Per service, its oldest bucket start and newest observation time. */
  serviceSeen: Map<string, SeenSpan>;
  /** second start -> service -> stats, for the live stream. */
  seconds: LiveSeconds;
  /** The oldest second written. */
  oldest: number;
  /** Coarse buckets to rebuild, as [tier, bucket start]. */
  dirty: [number, number][];
  /** Per service, the longest reporting interval of its request series in this fold, where known. */
  intervals: Map<string, Reported>;
}

/** A service's reporting interval (ms) and the end of the newest interval reported. */
export interface Reported {
  interval: number;
  until: number;
  /** Only first points' spans (cumulative series since their start): a hint of the interval, not a measure. */
  first?: boolean;
  /**
   * Per instance of the service (`service.instance.id`), the end of its newest report: several instances export
   * at different moments, and the service's data is complete only up to the earliest of them.
   */
  instances?: Map<string, number>;
}

/**
 * Folds observations into additive deltas for every tier: first per series per second, then each coarser
 * tier from the one below (merging sketches is cheaper than adding values again), plus the per-service and
 * per-route RED rollups that the dashboard reads.
 */
export function fold(inputs: readonly FoldInput[], options: FoldOptions = {}): Folded {
  const fromTier = options.fromTier ?? 0;
  const liveFrom = fromTier === 0 ? (options.liveFrom ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY;
  const rows = new RowsBuilder(TIER_RESOLUTIONS.length);
  const serviceSeen = new Map<string, SeenSpan>();
  const seconds: LiveSeconds = new Map();
  const budget = options.maxBuckets === undefined ? undefined : new BucketBudget(options.maxBuckets);
  const redServices = TIER_RESOLUTIONS.map(() => new RedRows(false, budget));
  const redRoutes = TIER_RESOLUTIONS.map(() => new RedRows(true, budget));
  let oldest = Number.POSITIVE_INFINITY;
  const direct = (tier: number, t: number) => t < (options.directBefore?.[tier] ?? Number.POSITIVE_INFINITY);
  const dirty = TIER_RESOLUTIONS.map(() => new Set<number>());
  const intervals = new Map<string, Reported>();
  for (const given of inputs) {
    const pieces = given.explicit && explicitPieces(given.explicit);
    const input = pieces === given.explicit ? given : { ...given, explicit: pieces };
    const { record } = input;
    if (record.red && (input.interval !== undefined || input.firstSpan !== undefined)) {
      const until = input.reportedUntil ?? 0;
      addReported(intervals, record.service, {
        interval: input.interval ?? input.firstSpan!,
        until,
        ...(input.interval === undefined ? { first: true } : {}),
      });
      const instance = record.instance ?? input.reportedBy;
      if (instance !== undefined) addInstance(intervals.get(record.service)!, instance, until);
    }
    const histogram = record.kind === 'histogram';
    // Tiers below SAMPLE_TIER_FROM keep no per-series rows; only the RED rollups and the live stream read
    // them, so their sketches are built straight from the values, one per service and bucket, instead of one
    // per series and bucket merged into it (most of the fold's work when a bucket holds one OTLP point).
    const seriesSketches = fromTier >= SAMPLE_TIER_FROM;
    // Each value's sketch bin, computed once for every sketch it goes into.
    const bins = histogram ? binsOf(input.values) : null;
    let buckets = foldBuckets(
      input,
      TIER_RESOLUTIONS[fromTier]!,
      histogram && seriesSketches,
      bins,
      seriesSketches ? budget : undefined,
    );
    if (record.red && bins && !seriesSketches) {
      const res = TIER_RESOLUTIONS[fromTier]!;
      for (const table of fromTier >= ROUTE_TIER_FROM ? [redServices, redRoutes] : [redServices]) {
        const into = table[fromTier]!;
        into.addValues(into.groupOf(record), res, input, bins);
      }
    }
    const serviceGroup = redServices[0]!.groupOf(record);
    const routeGroup = record.red ? redRoutes[0]!.groupOf(record) : '';
    for (const [t, acc] of buckets) {
      if (t < oldest) oldest = t;
      widenSeen(serviceSeen, record.service, { first: t, last: acc.lastT });
      if (t >= liveFrom) addLive(seconds, record, t, acc);
    }
    for (let tier = fromTier; tier < TIER_RESOLUTIONS.length; tier++) {
      for (const acc of buckets.values()) settle(acc);
      const nextRes = TIER_RESOLUTIONS[tier + 1];
      if (tier + 1 === MATERIALIZED_FROM) markDirty(buckets, dirty, direct);
      // Roll up before anything below takes ownership of this tier's sketches; coarse tiers only get the
      // buckets written directly (the rest is rebuilt later from the tier below). The first tier with
      // per-series sketches folds the values again instead (SAMPLE_TIER_FROM < MATERIALIZED_FROM: all kept).
      let next: Map<number, Acc> | null = null;
      if (nextRes !== undefined && tier + 1 === SAMPLE_TIER_FROM && !seriesSketches) {
        next = foldBuckets(input, nextRes, histogram, bins, budget);
      } else if (nextRes !== undefined) {
        next = rollUp(buckets, nextRes, tier + 1 >= MATERIALIZED_FROM ? (t) => direct(tier + 1, t) : () => true);
        if (tier + 1 >= SAMPLE_TIER_FROM) budget?.spend(next.size);
      }
      for (const [t, acc] of buckets) {
        if (tier >= SAMPLE_TIER_FROM) rows.sample(tier, record.id, t, acc, acc.sketch && encodeSketch(acc.sketch));
        if (record.red && acc.sketch) {
          const routes = tier >= ROUTE_TIER_FROM;
          // The sketch is taken over by the last rollup that uses it; the other gets a copy.
          redServices[tier]!.addBucket(serviceGroup, record, t, acc.count, acc.sketch, routes);
          if (routes) redRoutes[tier]!.addBucket(routeGroup, record, t, acc.count, acc.sketch, false);
        }
      }
      if (next) buckets = next;
    }
  }
  // The live stream's latency and counts per service and second are exactly the finest RED rollup's.
  for (const row of redServices[fromTier]!.settled()) {
    if (row.t < liveFrom) continue;
    const stats = liveStats(seconds, row.service, row.t);
    stats.count += row.count;
    stats.errors += row.errors;
    stats.sketch.merge(row.sketch);
  }
  // Several series (status codes, instances) share a service bucket: each row is written once.
  for (let tier = 0; tier < TIER_RESOLUTIONS.length; tier++) {
    redServices[tier]!.writeTo(rows, tier);
    redRoutes[tier]!.writeTo(rows, tier);
  }
  const marks: [number, number][] = [];
  dirty.forEach((starts, tier) => {
    for (const t of starts) marks.push([tier, t]);
  });
  return { rows: rows.finish(), serviceSeen, seconds, oldest, dirty: marks, intervals };
}

/**
 * Keeps the longer interval (a measured one over first spans) and the later end of a service's reports, and of
 * each of its instances'.
 */
export function addReported(into: Map<string, Reported>, service: string, reported: Reported): void {
  const known = into.get(service);
  if (!known) {
    const { instances, ...rest } = reported;
    const added: Reported = { ...rest };
    into.set(service, added);
    if (instances) addInstanceEnds(added, instances);
  } else {
    if (reported.instances) addInstanceEnds(known, reported.instances);
    const first = known.first === true && reported.first === true;
    if (!first && known.first) known.interval = reported.interval;
    else if (first || !reported.first) known.interval = Math.max(known.interval, reported.interval);
    known.until = Math.max(known.until, reported.until);
    if (!first) delete known.first;
  }
}

/** Keeps the later end of an instance's reports; the instances' ends. */
function addInstance(into: { instances?: Map<string, number> }, instance: string, until: number): Map<string, number> {
  into.instances ??= new Map();
  into.instances.set(instance, Math.max(into.instances.get(instance) ?? 0, until));
  return into.instances;
}

/** Keeps the later end of each instance's reports in `ends`; the instances' ends. */
export function addInstanceEnds(
  into: { instances?: Map<string, number> },
  ends: ReadonlyMap<string, number>,
): Map<string, number> {
  into.instances ??= new Map();
  for (const [instance, until] of ends) addInstance(into, instance, until);
  return into.instances;
}

/** Marks the coarse buckets these fine buckets fall in, where those are not written directly. */
function markDirty(
  buckets: Map<number, Acc>,
  dirty: Set<number>[],
  direct: (tier: number, t: number) => boolean,
): void {
  for (const t of buckets.keys()) {
    for (let tier = MATERIALIZED_FROM; tier < TIER_RESOLUTIONS.length; tier++) {
      const res = TIER_RESOLUTIONS[tier]!;
      const start = t - (t % res);
      if (!direct(tier, start)) dirty[tier]!.add(start);
    }
  }
}

function binsOf(values: ArrayLike<number>): Float64Array {
  const bins = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) bins[i] = binOf(values[i]!);
  return bins;
}

/**
 * Per-bucket stats of one series at resolution `res`; with `sketches`, a sketch per bucket too (`bins` given).
 * Each bucket opened takes one from `budget`, when given.
 */
function foldBuckets(
  { timestamps, values, weights, explicit }: FoldInput,
  res: number,
  sketches: boolean,
  bins: Float64Array | null,
  budget?: BucketBudget,
): Map<number, Acc> {
  const open = (min: number, max: number, last: number, lastT: number) => {
    budget?.spend(1);
    return newAcc(min, max, last, lastT, sketches);
  };
  const buckets = new Map<number, Acc>();
  // Values arrive grouped by time, so the bucket of the previous value is usually the one needed.
  let acc: Acc | undefined;
  let accT = Number.NaN;
  for (let i = 0; i < values.length; i++) {
    const ts = timestamps[i]!;
    const value = values[i]!;
    const weight = weights ? weights[i]! : 1;
    const t = ts - (ts % res);
    if (t !== accT) {
      acc = buckets.get(t);
      accT = t;
    }
    if (!acc) buckets.set(t, (acc = open(value, value, value, ts)));
    acc.count += weight;
    acc.sum += value * weight;
    if (value < acc.min) acc.min = value;
    if (value > acc.max) acc.max = value;
    if (ts >= acc.lastT) {
      acc.last = value;
      acc.lastT = ts;
    }
    acc.sketch?.addBinned(value, bins![i]!, weight);
  }
  for (const p of explicit ?? []) {
    const t = p.time - (p.time % res);
    if (t !== accT) {
      acc = buckets.get(t);
      accT = t;
    }
    // Sum, min and max come when the points are spread (`settle`).
    if (!acc) buckets.set(t, (acc = open(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, p.time)));
    acc.count += p.count;
    if (p.time >= acc.lastT) {
      // A histogram's "last value" is its newest point's mean.
      acc.last = p.sum === null ? acc.last : (p.sum * p.scale) / p.count;
      acc.lastT = p.time;
    }
    if (acc.sketch) addExplicit((acc.layouts ??= []), p);
  }
  return buckets;
}

function newAcc(min: number, max: number, last: number, lastT: number, sketch: boolean): Acc {
  return { count: 0, sum: 0, min, max, last, lastT, sketch: sketch ? new Sketch() : null, layouts: null };
}

/** Spreads an accumulator's waiting explicit points into its sketch and stats. */
function settle(acc: Acc): void {
  if (!acc.layouts) return;
  spreadInto(acc.layouts, acc.sketch!, acc);
  acc.layouts = null;
}

function rollUp(perSecond: Map<number, Acc>, res: number, keep: (t: number) => boolean): Map<number, Acc> {
  const out = new Map<number, Acc>();
  for (const [second, acc] of perSecond) {
    const t = second - (second % res);
    if (!keep(t)) continue;
    const into = out.get(t);
    if (!into) {
      out.set(t, { ...acc, sketch: acc.sketch ? copySketch(acc.sketch) : null, layouts: null });
      continue;
    }
    mergeStats(into, acc);
    if (into.sketch && acc.sketch) into.sketch.merge(acc.sketch);
  }
  return out;
}
