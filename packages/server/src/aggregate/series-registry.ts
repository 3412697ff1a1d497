import {
  CPU_METRIC,
  ERROR_TYPE_ATTR,
  type ErrorCode,
  INSTANCE_ATTR,
  LEGACY_RED_METRIC,
  MEMORY_METRIC,
  type MetricType,
  RED_METRIC,
  ROUTE_ATTR,
  STATUS_ATTR,
  TRACE_RED_METRIC,
} from '@pulseboard/shared';
import { AppError } from '../errors.ts';
import { type SeriesIdentity, type SeriesSamples, seriesKey } from '../model.ts';
import type { SeriesRecord } from '../store/store.ts';
import { type RegistryLimits, SeriesCounts } from './series-limits.ts';

/** Request-duration histograms that feed RED: the metric (current and legacy names) and the one derived from spans. */
const RED_NAMES: ReadonlySet<string> = new Set([RED_METRIC, LEGACY_RED_METRIC, TRACE_RED_METRIC]);

/**
 * The metrics the dashboard reads, with the type the contract gives them. Sent with another type they are
 * refused rather than registered, so whoever sends a service's RED metric first as a gauge cannot lock the
 * real histogram out (type squatting).
 */
const CONTRACT_KINDS: ReadonlyMap<string, MetricType> = new Map([
  [RED_METRIC, 'histogram'],
  [LEGACY_RED_METRIC, 'histogram'],
  [TRACE_RED_METRIC, 'histogram'],
  [CPU_METRIC, 'gauge'],
  [MEMORY_METRIC, 'gauge'],
]);

/** What `trial` reads of a series' samples: who it is, and where in the request it came from. */
export type SeriesOrigin = Pick<SeriesSamples, 'identity' | 'origin'>;

/** Whether a metric is one the dashboard reads: those have a per-service series quota of their own. */
const isContractMetric = (name: string) => CONTRACT_KINDS.has(name);

/**
 * Maps series identities to ids, enforcing the series limits (see series-limits.ts) and one type per metric
 * name. Resolution is synchronous and all-or-nothing, so a rejected batch reserves nothing.
 */
export class SeriesRegistry {
  /**
   * Set where the store assigns series ids (PostgreSQL: instances sharing it must agree on them): a new series
   * then gets a provisional negative id, until the commit adding it returns the stored one (`renumber`).
   */
  provisionalIds = false;
  private nextProvisional = -1;
  private readonly byKey = new Map<string, SeriesRecord>();
  private readonly byId = new Map<number, SeriesRecord>();
  /** Per service + metric name: its kind, and how many series carry it (the kind is free again at zero). */
  private readonly kindByName = new Map<string, { kind: MetricType; series: number }>();
  private readonly counts: SeriesCounts;
  /**
   * One copy of each service, metric name, unit, route and instance string: rows loaded from the store and
   * identities from each request would otherwise each hold their own copy of the same few names.
   */
  private readonly strings = new Map<string, string>();
  /** Per service, its request-duration series that come from metrics (not from spans). */
  private readonly metricRedByService = new Map<string, number>();
  private nextId = 1;

  private constructor(limits: RegistryLimits) {
    this.counts = new SeriesCounts(limits);
  }

  /** The registry of the stored series, added as they are read (one parsed row at a time, see `Store.loadSeries`). */
  static async load(records: AsyncIterable<SeriesRecord>, limits: RegistryLimits): Promise<SeriesRegistry> {
    const registry = new SeriesRegistry(limits);
    for await (const record of records) registry.add(record);
    return registry;
  }

  get size(): number {
    return this.byId.size;
  }

  get services(): number {
    return this.counts.services;
  }

  /**
   * The record of every series in the batch, in order, and those created by this call. Throws an AppError
   * (`PULSE_ERR_TYPE_CONFLICT`, `PULSE_ERR_CARDINALITY`, `PULSE_ERR_SERIES_TOO_LARGE`) naming the item;
   * a `LimitError` says which limit.
   */
  resolve(batch: readonly SeriesOrigin[]): { records: SeriesRecord[]; created: SeriesRecord[] } {
    const trial = this.trial();
    const records: SeriesRecord[] = [];
    for (const samples of batch) {
      const outcome = trial.admit(samples);
      if (outcome instanceof AppError) throw outcome;
      records.push(outcome);
    }
    const { created } = trial;
    for (const record of created) {
      record.id = this.provisionalIds ? this.nextProvisional-- : this.nextId++;
      this.add(record);
    }
    return { records, created };
  }

  /**
   * A dry run of `resolve`, one series at a time: `admit` gives the series' record (a new one without an id
   * yet) or the refusal `resolve` would throw, each series on top of those admitted before it. Nothing is
   * registered, so an export of many series past a limit is sorted without a throw (or a record) per series.
   */
  trial(): { admit(samples: SeriesOrigin): SeriesRecord | AppError; readonly created: SeriesRecord[] } {
    const created: SeriesRecord[] = [];
    const newKinds = new Map<string, MetricType>();
    const pending = new Map<string, SeriesRecord>();
    const reservation = this.counts.reserve();
    const admit = (samples: SeriesOrigin): SeriesRecord | AppError => {
      const { identity } = samples;
      const origin = samples.origin ?? 'metric';
      const key = seriesKey(identity);
      const known = this.byKey.get(key) ?? pending.get(key);
      const nameKey = `${identity.service}\u0000${identity.name}`;
      const fixed = CONTRACT_KINDS.get(identity.name);
      const kind = fixed ?? known?.kind ?? this.kindByName.get(nameKey)?.kind ?? newKinds.get(nameKey);
      if (kind !== undefined && kind !== identity.kind) {
        const why = fixed ? 'by contract (the dashboard reads it)' : 'already';
        return new AppError(
          'PULSE_ERR_TYPE_CONFLICT',
          `${origin}.type: ${identity.name} of service ${identity.service} is ${why} a ${kind}, not a ${identity.kind}`,
        );
      }
      if (known) return known;
      const problem = textProblem(identity);
      if (problem) return new AppError(problem.code, `${origin}.${problem.field}: ${problem.why}`);
      const refused = reservation.add(origin, identity.service, isContractMetric(identity.name), key);
      if (refused) return refused;
      newKinds.set(nameKey, identity.kind);
      const record = describeSeries(0, key, identity);
      pending.set(key, record);
      created.push(record);
      return record;
    };
    return { admit, created };
  }

  /** Gives a series the id the store assigned it (see `provisionalIds`). */
  renumber(record: SeriesRecord, id: number): void {
    if (this.byId.get(record.id) !== record) return;
    this.byId.delete(record.id);
    record.id = id;
    this.byId.set(id, record);
    this.nextId = Math.max(this.nextId, id + 1);
  }

  /** Adds a series another instance stored, unless this one knows its key already; whether it was added. */
  adopt(record: SeriesRecord): boolean {
    if (this.byKey.has(record.key) || this.byId.has(record.id)) return false;
    this.add(record);
    return true;
  }

  /** The largest stored id known: series stored later by other instances have larger ones. */
  get largestId(): number {
    return this.nextId - 1;
  }

  /** Undoes `resolve` for series whose commit failed. */
  release(created: readonly SeriesRecord[]): void {
    for (const record of created) this.remove(record);
  }

  /** Forgets a deleted service's series, which frees its share of every limit. */
  forgetService(service: string): void {
    for (const record of [...this.byId.values()]) if (record.service === service) this.remove(record);
    // Drop the deleted service's strings; the survivors' are registered again as they are.
    this.strings.clear();
    for (const record of this.byId.values()) this.internAll(record);
  }

  /**
   * Whether the service has reported request durations as metrics: then its RED comes from those, and its
   * spans no longer count as requests (no double counting; see ingest/otlp/traces).
   */
  hasRequestMetrics(service: string): boolean {
    return this.metricRedByService.has(service);
  }

  /** Every service for which `hasRequestMetrics` holds. */
  requestMetricServices(): string[] {
    return [...this.metricRedByService.keys()];
  }

  get(id: number): SeriesRecord | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<SeriesRecord> {
    return this.byId.values();
  }

  private internAll(record: SeriesRecord): void {
    record.service = this.intern(record.service);
    record.name = this.intern(record.name);
    record.unit = this.intern(record.unit);
    if (record.route !== null) record.route = this.intern(record.route);
    if (record.instance !== null) record.instance = this.intern(record.instance);
  }

  private intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  private add(record: SeriesRecord): void {
    this.internAll(record);
    this.byKey.set(record.key, record);
    this.byId.set(record.id, record);
    const nameKey = `${record.service}\u0000${record.name}`;
    const named = this.kindByName.get(nameKey);
    if (named) named.series++;
    else this.kindByName.set(nameKey, { kind: record.kind, series: 1 });
    this.counts.add(record.service, isContractMetric(record.name), 1);
    if (isMetricRed(record)) {
      this.metricRedByService.set(record.service, (this.metricRedByService.get(record.service) ?? 0) + 1);
    }
    this.nextId = Math.max(this.nextId, record.id + 1);
  }

  private remove(record: SeriesRecord): void {
    if (!this.byId.delete(record.id)) return;
    this.byKey.delete(record.key);
    this.counts.add(record.service, isContractMetric(record.name), -1);
    if (isMetricRed(record)) {
      const metricRed = (this.metricRedByService.get(record.service) ?? 1) - 1;
      if (metricRed > 0) this.metricRedByService.set(record.service, metricRed);
      else this.metricRedByService.delete(record.service);
    }
    const nameKey = `${record.service}\u0000${record.name}`;
    const named = this.kindByName.get(nameKey);
    if (named && --named.series === 0) this.kindByName.delete(nameKey);
  }
}

/**
 * The series a write naming `records` must add: those it `created`, and any still provisional (see
 * `SeriesRegistry.provisionalIds`) because another write that created them has not committed yet. The store
 * adds a series by key, so adding one twice is harmless; without provisional ids this is `created`.
 */
export function seriesToAdd(records: readonly SeriesRecord[], created: readonly SeriesRecord[]): SeriesRecord[] {
  const out = new Set(created);
  for (const record of records) if (record.id < 0) out.add(record);
  return [...out];
}

/** A UTF-16 surrogate without its pair (in a `u` pattern, `\p{Cs}` matches only those). */
const LONE_SURROGATE = /\p{Cs}/u;
/** Control characters (C0, DEL, C1): a name holding one prints as garbage, or not at all, wherever it is shown. */
const CONTROL = /\p{Cc}/u;
/** Any code unit one of the checks below is about: NUL and control characters, and surrogates, paired or not. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for.
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/;

/**
 * The first text of a new series' identity that cannot be stored as sent, and why:
 * - a NUL character anywhere: the series key separates its parts with NUL (so one inside would let two series
 *   share a key), and PostgreSQL's text refuses it, which would fail the whole commit of every request batched
 *   with it;
 * - a lone surrogate anywhere (JSON's `"\ud800"` escape) is no Unicode text: SQLite would store bytes that are
 *   not UTF-8 (a service then named in no URL, so never deleted) and PostgreSQL would refuse it;
 * - a control character in a name: attribute values may hold tabs and newlines (a SQL statement), but names
 *   are what the dashboard shows on one line.
 */
export function textProblem(identity: SeriesIdentity): { code: ErrorCode; field: string; why: string } | null {
  for (const field of ['service', 'name', 'unit'] as const) {
    const issue = textIssue(identity[field], true);
    if (issue) return { ...issue, field };
  }
  for (const key in identity.attributes) {
    const value = identity.attributes[key];
    const issue = textIssue(key, false) ?? (typeof value === 'string' ? textIssue(value, false) : null);
    if (issue) return { ...issue, field: `attributes.${key.replace(/\p{Cs}/gu, '\uFFFD')}` };
  }
  return null;
}

/** What is wrong with one text of a series' identity (see `textProblem`); `isName`: control characters too. */
export function textIssue(text: string, isName: boolean): { code: ErrorCode; why: string } | null {
  // Most text holds none of the code units at issue: one scan, and the exact checks only for the rest.
  if (!SUSPECT.test(text)) return null;
  if (text.includes('\u0000')) {
    return { code: 'PULSE_ERR_NUL_CHARACTER', why: 'holds a NUL character (U+0000), which no name may' };
  }
  if (LONE_SURROGATE.test(text)) {
    return { code: 'PULSE_ERR_INVALID_TEXT', why: 'is not Unicode text (it holds a lone UTF-16 surrogate)' };
  }
  if (isName && CONTROL.test(text)) {
    const why = 'holds a control character (U+0001 - U+001F, U+007F - U+009F), which no name may';
    return { code: 'PULSE_ERR_INVALID_TEXT', why };
  }
  return null;
}

/** Precomputes what RED needs from a series' attributes: route, whether its requests are errors, instance. */
export function describeSeries(id: number, key: string, identity: SeriesIdentity): SeriesRecord {
  const { attributes } = identity;
  const red = identity.kind === 'histogram' && RED_NAMES.has(identity.name);
  const route = attributes[ROUTE_ATTR];
  const status = Number(attributes[STATUS_ATTR]);
  const instance = attributes[INSTANCE_ATTR];
  return {
    id,
    key,
    service: identity.service,
    name: identity.name,
    kind: identity.kind,
    unit: identity.unit,
    red,
    route: route === undefined || route === '' ? null : String(route),
    isError: status >= 500 || attributes[ERROR_TYPE_ATTR] !== undefined,
    instance: instance === undefined ? null : String(instance),
  };
}

function isMetricRed(record: SeriesRecord): boolean {
  return record.red && record.name !== TRACE_RED_METRIC;
}
