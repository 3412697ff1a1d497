import { type AttributeValue, INSTANCE_ATTR, type MetricType as SeriesKind } from '@pulseboard/shared';
import { requestHeap } from '../../aggregate/heap-guard.ts';
import { spreadCounts, spreadIncrease, spreadLater, spreadLimit, spreads } from '../../aggregate/spread.ts';
import { type ExplicitPoint, type SeriesIdentity, type SeriesSamples, seriesKey } from '../../model.ts';
import type { Observations } from '../../sketch/bucket-values.ts';
import type { IngestLimits } from '../native/decode.ts';
import type { CumulativePoint } from './cumulative.ts';
import { KIND_CONVERTERS } from './kinds.ts';
import { type Attributes, FLAG_NO_RECORDED_VALUE, type MetricData, type OtlpExport, type PointBase } from './model.ts';
import { Rejections } from './rejections.ts';

/**
 * Samples of one series from every data point of it in the request, ready for the aggregator. Grouping
 * matters: a body holding a minute of a series folds into one 1-minute bucket, not sixty.
 */
export interface Entry {
  samples: SeriesSamples & { timestamps: number[]; values: number[]; weights?: number[]; explicit?: ExplicitPoint[] };
  /** The data points it holds (one point may feed several entries: a summary feeds three series). */
  points: number[];
  /** For cumulative entries, the series key (`seriesKey`), which is also the cumulative state's key. */
  series: string;
  /** Holds deltas of a cumulative series, whose state must commit with it. */
  cumulative: boolean;
}

/** A cumulative point waiting to be diffed against its series' last point. */
export interface PendingCumulative extends CumulativePoint {
  point: number;
  identity: SeriesIdentity;
  /** Unit factor for the values (seconds -> ms); state keeps the sender's unit. */
  scale: number;
}

/** Where a point belongs: its service, the resource attributes series keep, and its metric. */
export interface MetricContext {
  service: string;
  /** Null when the resource has none of them (then a point's attributes are used as they are). */
  resourceAttributes: Attributes | null;
  name: string;
  unit: string;
  /** Set when every point of the metric is refused (a bad service or metric name). */
  invalid: string | null;
}

/**
 * A cumulative series' point that counts in full: `fresh`, first of its series or after a reset; `first`, the
 * first the server has seen of its process (see `Delta.first`).
 */
export interface Fresh {
  fresh: boolean;
  first: boolean;
}
const NOT_FRESH: Fresh = { fresh: false, first: false };

const SERVICE_NAME = 'service.name';
/** The resource attributes that become series attributes; the rest (host, process, SDK) would only add cardinality. */
const KEPT_RESOURCE_ATTRIBUTES = ['service.namespace', INSTANCE_ATTR];

/**
 * Converts a decoded export into entries and pending cumulative points, refusing single data points that
 * cannot be stored (non-finite values, times out of range, limits) instead of the whole request.
 */
export class Conversion {
  readonly entries: Entry[] = [];
  private readonly bySeries = new Map<string, Entry>();
  /**
   * The current metric's entries by attributes object, for protobuf points: points with identical attribute
   * bytes share one object (PointBase.attributesKey), so no key text is built per point. These caches keyed
   * by that object are measured by decode.bench.ts: without them converting took ~1.8x the decode's time,
   * with them ~1.1x (2026-12-03, alternating runs).
   */
  private readonly metricEntries = new Map<Attributes, Entry>();
  /** The current metric's series keys by shared attributes object (see `seriesKeyOf`), and its name. */
  private readonly metricKeys = new Map<Attributes, string>();
  private metricName = '';
  /** Cumulative series' entries by kind, then series key. */
  private readonly byCumulativeSeries = new Map<string, Map<string, Entry>>();
  /** A resource's attributes merged into each distinct (shared) point attributes object, once. */
  private readonly withResource = new Map<Attributes, Attributes>();
  /** The current point's series attributes, and whether other points of its series share that object. */
  private pointAttributes: Attributes | null = null;
  private pointShared = false;
  private readonly checkedAttributes = new Map<Attributes, string | null>();
  readonly cumulative: PendingCumulative[] = [];
  readonly rejections = new Rejections();
  private nextPoint = 0;
  private readonly oldest: number;
  private readonly newest: number;

  constructor(
    now: number,
    private readonly limits: IngestLimits,
  ) {
    this.oldest = now - limits.maxAgeMs;
    this.newest = now + limits.maxAheadMs;
  }

  run(request: OtlpExport): this {
    for (const resource of request.resources) {
      this.withResource.clear();
      const service = serviceName(resource.attributes);
      let resourceAttributes: Attributes | null = null;
      for (const key of KEPT_RESOURCE_ATTRIBUTES) {
        const value = resource.attributes[key];
        if (value !== undefined) (resourceAttributes ??= {})[key] = value;
      }
      for (const metric of resource.metrics) {
        if (!metric.data) continue;
        this.metricEntries.clear();
        this.metricKeys.clear();
        this.metricName = metric.name;
        const context: MetricContext = {
          service,
          resourceAttributes,
          name: metric.name,
          unit: metric.unit,
          invalid: this.invalidNames(service, metric.name, metric.unit),
        };
        (KIND_CONVERTERS[metric.data.type] as (c: Conversion, m: MetricContext, d: MetricData) => void)(
          this,
          context,
          metric.data,
        );
      }
    }
    return this;
  }

  /** Data points seen, skipped ones (no recorded value) included. */
  get points(): number {
    return this.nextPoint;
  }

  /**
   * Starts a data point: its id and series attributes, or null when it is skipped (flagged as having no
   * recorded value) or refused (time out of range, attribute limits, bad names).
   */
  begin(p: PointBase, m: MetricContext): { id: number; attributes: Attributes } | null {
    const id = this.nextPoint++;
    if ((p.flags & FLAG_NO_RECORDED_VALUE) !== 0) return null;
    if (m.invalid) return this.refuse(id, m.invalid, m);
    if (p.time === 0) return this.refuse(id, 'without timeUnixNano, or with one in the first millisecond of 1970', m);
    if (p.time < this.oldest) return this.refuse(id, 'older than the longest retention', m);
    if (p.time > this.newest) return this.refuse(id, 'more than 10 minutes ahead of the server clock', m);
    const attributes = m.resourceAttributes ? this.mergeResource(p, m.resourceAttributes) : p.attributes;
    const shared = p.attributesKey !== undefined;
    const problem = shared ? this.sharedAttributeProblem(attributes) : this.attributeProblem(attributes);
    if (problem) return this.refuse(id, problem, m);
    this.pointAttributes = attributes;
    this.pointShared = shared;
    return { id, attributes };
  }

  private mergeResource(p: PointBase, resource: Attributes): Attributes {
    if (p.attributesKey === undefined) return { ...p.attributes, ...resource };
    let merged = this.withResource.get(p.attributes);
    if (!merged) this.withResource.set(p.attributes, (merged = { ...p.attributes, ...resource }));
    return merged;
  }

  reject(id: number, reason: string, m: MetricContext): void {
    this.rejections.reject(id, reason, `metric "${m.name}" of service "${m.service}"`);
  }

  identity(m: MetricContext, kind: SeriesKind, name: string, unit: string, attributes: Attributes): SeriesIdentity {
    return { service: m.service, name, kind, unit, attributes };
  }

  /** Adds one value of `identity` at `time`; `series` is its key when it is a cumulative series' delta. */
  emit(point: number, identity: SeriesIdentity, time: number, value: number, series?: string): void {
    this.emitAll(point, identity, [[time, value]], series);
  }

  /**
   * Adds a counter's increase over [since, time), spread evenly over that interval (`spreadIncrease`); of a
   * cumulative series' `first` point, over what `spreadLimit` keeps.
   */
  emitIncrease(
    point: number,
    identity: SeriesIdentity,
    since: number,
    time: number,
    value: number,
    series?: string,
    first = false,
  ) {
    this.emitAll(point, identity, spreadIncrease(value, since, time, spreadLimit(since, time, first)), series);
  }

  private emitAll(point: number, identity: SeriesIdentity, values: readonly [number, number][], series?: string) {
    const entry = this.entryFor(identity, series);
    const { samples } = entry;
    for (const [time, value] of values) {
      samples.timestamps.push(time);
      samples.values.push(value);
      samples.weights?.push(1);
    }
    requestHeap.spend(values.length);
    entry.points.push(point);
  }

  /**
   * Adds an explicit-bucket histogram point of `identity`, kept as counts (see ExplicitPoint), that covers
   * [since, p.time): spread evenly over that interval (`spreadPoint`; of a cumulative series' `first` point,
   * over what `spreadLimit` keeps). Unless `fresh` (the first point of a cumulative series, which covers
   * everything since its start, or the first after a reset: only a hint), that is also the series' reporting
   * interval.
   */
  emitExplicit(
    point: number,
    identity: SeriesIdentity,
    p: ExplicitPoint,
    since: number,
    series?: string,
    { fresh, first }: Fresh = NOT_FRESH,
  ): void {
    const entry = this.entryFor(identity, series);
    const explicit = (entry.samples.explicit ??= []);
    const pieces = spreadLater(p, since, spreadLimit(since, p.time, first));
    for (const piece of pieces) explicit.push(piece);
    requestHeap.spend(pieces.length);
    noteSpan(entry, since, p.time, fresh);
    entry.points.push(point);
  }

  /**
   * Adds the weighted values `fill` appends (an exponential histogram point's buckets) to `identity`, covering
   * [since, time): spread over it as `emitExplicit` spreads its counts.
   */
  emitWeighted(
    point: number,
    identity: SeriesIdentity,
    time: number,
    since: number,
    fill: (out: Observations) => void,
    series?: string,
    { fresh, first }: Fresh = NOT_FRESH,
  ): void {
    const entry = this.entryFor(identity, series);
    const { samples } = entry;
    const weightsOut = (samples.weights ??= samples.values.map(() => 1));
    const filled: Observations = { values: [], weights: [] };
    fill(filled);
    const { weights } = filled;
    const pieces = spreads(since, time)
      ? spreadCounts(weights, since, time, spreadLimit(since, time, first))
      : [{ at: time, counts: weights }];
    for (const { at, counts } of pieces) {
      counts.forEach((weight, i) => {
        if (weight === 0) return;
        samples.timestamps.push(at);
        samples.values.push(filled.values[i]!);
        weightsOut.push(weight);
      });
      requestHeap.spend(counts.length);
    }
    noteSpan(entry, since, time, fresh);
    entry.points.push(point);
  }

  /** Notes which process reported `identity`'s points (see `SeriesSamples.reportedBy`). */
  reportedBy(identity: SeriesIdentity, series: string | undefined, instance: string): void {
    this.entryFor(identity, series).samples.reportedBy = instance;
  }

  /**
   * `seriesKey(identity)`, computed once per shared attributes object of the current metric: cumulative
   * points need their series key each, and sorting and serialising attributes per point was a hot spot.
   */
  seriesKeyOf(identity: SeriesIdentity): string {
    const own = this.pointShared && identity.attributes === this.pointAttributes && identity.name === this.metricName;
    if (!own) return seriesKey(identity);
    let key = this.metricKeys.get(identity.attributes);
    if (key === undefined) this.metricKeys.set(identity.attributes, (key = seriesKey(identity)));
    return key;
  }

  private entryFor(identity: SeriesIdentity, series: string | undefined): Entry {
    if (series !== undefined) {
      // The kind keeps a type conflict two entries the registry can tell apart.
      let byKey = this.byCumulativeSeries.get(identity.kind);
      if (!byKey) this.byCumulativeSeries.set(identity.kind, (byKey = new Map()));
      let entry = byKey.get(series);
      if (!entry) byKey.set(series, (entry = this.newEntry(identity, series, true)));
      return entry;
    }
    // A series whose attributes are the current point's own, as decoded from bytes: the bytes name it.
    // (One metric's gauge, sum and histogram points each make one kind of series under the metric's name.)
    if (this.pointShared && identity.attributes === this.pointAttributes) {
      let entry = this.metricEntries.get(identity.attributes);
      if (!entry) {
        entry = this.newEntry(identity, '', false);
        this.metricEntries.set(identity.attributes, entry);
      }
      return entry;
    }
    // Grouping only needs the attributes as sent (an SDK sends them in one order), which is cheaper than
    // the sorted series key; a series sent in two orders just stays two entries. The kind is part of the
    // group so that a type conflict stays two entries the registry can tell apart.
    const group = `${identity.kind}\u0000${identity.service}\u0000${identity.name}\u0000${JSON.stringify(identity.attributes)}`;
    let entry = this.bySeries.get(group);
    if (!entry) {
      entry = this.newEntry(identity, '', false);
      this.bySeries.set(group, entry);
    }
    return entry;
  }

  private newEntry(identity: SeriesIdentity, series: string, cumulative: boolean): Entry {
    const entry: Entry = { samples: { identity, timestamps: [], values: [] }, points: [], series, cumulative };
    this.entries.push(entry);
    return entry;
  }

  private refuse(id: number, reason: string, m: MetricContext): null {
    this.reject(id, reason, m);
    return null;
  }

  private invalidNames(service: string, name: string, unit: string): string | null {
    const max = this.limits.maxNameLength;
    if (service.length === 0 || service.length > max) return `with a service.name longer than ${max} characters`;
    // Summaries add ".count"/".sum"; leave them room so every series of a metric fits.
    if (name.length === 0 || name.length > max - 6) return `with a metric name empty or over ${max - 6} characters`;
    if (unit.length > this.limits.maxUnitLength) return `with a unit over ${this.limits.maxUnitLength} characters`;
    return null;
  }

  /** `attributeProblem` of an attributes object many points share, checked once. */
  private sharedAttributeProblem(attributes: Attributes): string | null {
    let problem = this.checkedAttributes.get(attributes);
    if (problem === undefined) this.checkedAttributes.set(attributes, (problem = this.attributeProblem(attributes)));
    return problem;
  }

  private attributeProblem(attributes: Record<string, AttributeValue>): string | null {
    const { maxAttributes, maxNameLength, maxAttributeValueLength } = this.limits;
    let n = 0;
    for (const key in attributes) {
      if (++n > maxAttributes) return `with more than ${maxAttributes} attributes`;
      if (key.length > maxNameLength) return `with an attribute name over ${maxNameLength} characters`;
      const value = attributes[key];
      if (typeof value === 'string' && value.length > maxAttributeValueLength) {
        return `with an attribute value over ${maxAttributeValueLength} characters`;
      }
    }
    return null;
  }
}

/** `service.name`, or what the OpenTelemetry spec says an SDK uses without one. */
export function serviceName(attributes: Attributes): string {
  const name = attributes[SERVICE_NAME];
  if (name !== undefined && name !== '') return String(name);
  const executable = attributes['process.executable.name'];
  return executable === undefined ? 'unknown_service' : `unknown_service:${executable}`;
}

/**
 * A histogram point's span [since, time) is its series' reporting interval, unless `fresh` (the first point
 * of a cumulative series covers everything since its start: only a hint).
 */
function noteSpan(entry: Entry, since: number, time: number, fresh: boolean): void {
  const span = time - since;
  if (!(since > 0 && span > 0)) return;
  const { samples } = entry;
  if (fresh) samples.firstSpan = Math.max(samples.firstSpan ?? 0, span);
  else samples.interval = Math.max(samples.interval ?? 0, span);
  samples.reportedUntil = Math.max(samples.reportedUntil ?? 0, time);
}
