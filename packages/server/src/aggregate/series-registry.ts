import {
  ERROR_TYPE_ATTR,
  INSTANCE_ATTR,
  type MetricType,
  RED_METRIC,
  ROUTE_ATTR,
  STATUS_ATTR,
  TRACE_RED_METRIC,
} from '@pulseboard/shared';
import { AppError } from '../errors.ts';
import { type SampleBatch, type SeriesIdentity, seriesKey } from '../model.ts';
import type { SeriesRecord } from '../store/store.ts';

/** Older OpenTelemetry HTTP instrumentation reports this name in ms; it feeds RED like the current one. */
const LEGACY_RED_METRIC = 'http.server.duration';
/** Request-duration histograms that feed RED: the metric (current and legacy names) and the one derived from spans. */
const RED_NAMES: ReadonlySet<string> = new Set([RED_METRIC, LEGACY_RED_METRIC, TRACE_RED_METRIC]);

/**
 * Maps series identities to ids, enforcing the per-service series limit and one type per metric name.
 * Resolution is synchronous and all-or-nothing, so a rejected batch reserves nothing.
 */
export class SeriesRegistry {
  private readonly byKey = new Map<string, SeriesRecord>();
  private readonly byId = new Map<number, SeriesRecord>();
  /** Per service + metric name: its kind, and how many series carry it (the kind is free again at zero). */
  private readonly kindByName = new Map<string, { kind: MetricType; series: number }>();
  private readonly countByService = new Map<string, number>();
  /** Per service, its request-duration series that come from metrics (not from spans). */
  private readonly metricRedByService = new Map<string, number>();
  private nextId = 1;

  constructor(
    records: readonly SeriesRecord[],
    private readonly maxSeriesPerService: number,
  ) {
    for (const record of records) this.add(record);
  }

  /** The record of every series in the batch, in order, and those created by this call. */
  resolve(batch: SampleBatch): { records: SeriesRecord[]; created: SeriesRecord[] } {
    const records: SeriesRecord[] = [];
    const created: SeriesRecord[] = [];
    const newPerService = new Map<string, number>();
    const newKinds = new Map<string, MetricType>();
    const pending = new Map<string, SeriesRecord>();
    for (const samples of batch) {
      const { identity } = samples;
      const key = seriesKey(identity);
      const known = this.byKey.get(key) ?? pending.get(key);
      const nameKey = `${identity.service}\u0000${identity.name}`;
      const kind = known?.kind ?? this.kindByName.get(nameKey)?.kind ?? newKinds.get(nameKey);
      if (kind !== undefined && kind !== identity.kind) {
        throw new AppError(
          'PULSE_ERR_TYPE_CONFLICT',
          `${samples.origin ?? 'metric'}.type: ${identity.name} of service ${identity.service} is a ${kind}, not a ${identity.kind}`,
        );
      }
      if (known) {
        records.push(known);
        continue;
      }
      const count = (this.countByService.get(identity.service) ?? 0) + (newPerService.get(identity.service) ?? 0) + 1;
      if (count > this.maxSeriesPerService) {
        throw new AppError(
          'PULSE_ERR_CARDINALITY',
          `${samples.origin ?? 'metric'}: service ${identity.service} is at its limit of ${this.maxSeriesPerService} series; reduce attribute values or raise --max-series-per-service`,
        );
      }
      newPerService.set(identity.service, (newPerService.get(identity.service) ?? 0) + 1);
      newKinds.set(nameKey, identity.kind);
      const record = describeSeries(0, key, identity);
      pending.set(key, record);
      created.push(record);
      records.push(record);
    }
    for (const record of created) {
      record.id = this.nextId++;
      this.add(record);
    }
    return { records, created };
  }

  /** Undoes `resolve` for series whose commit failed. */
  release(created: readonly SeriesRecord[]): void {
    for (const record of created) this.remove(record);
  }

  forgetService(service: string): void {
    for (const record of [...this.byId.values()]) if (record.service === service) this.remove(record);
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

  private add(record: SeriesRecord): void {
    this.byKey.set(record.key, record);
    this.byId.set(record.id, record);
    const nameKey = `${record.service}\u0000${record.name}`;
    const named = this.kindByName.get(nameKey);
    if (named) named.series++;
    else this.kindByName.set(nameKey, { kind: record.kind, series: 1 });
    this.countByService.set(record.service, (this.countByService.get(record.service) ?? 0) + 1);
    if (isMetricRed(record)) {
      this.metricRedByService.set(record.service, (this.metricRedByService.get(record.service) ?? 0) + 1);
    }
    this.nextId = Math.max(this.nextId, record.id + 1);
  }

  private remove(record: SeriesRecord): void {
    this.byKey.delete(record.key);
    this.byId.delete(record.id);
    const left = (this.countByService.get(record.service) ?? 1) - 1;
    if (left > 0) this.countByService.set(record.service, left);
    else this.countByService.delete(record.service);
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
    attributes,
    red,
    route: route === undefined || route === '' ? null : String(route),
    isError: status >= 500 || attributes[ERROR_TYPE_ATTR] !== undefined,
    instance: instance === undefined ? null : String(instance),
  };
}

function isMetricRed(record: SeriesRecord): boolean {
  return record.red && record.name !== TRACE_RED_METRIC;
}
