import {
  type AttributeValue,
  ERROR_TYPE_ATTR,
  PEER_SERVICE_ATTR,
  ROUTE_ATTR,
  SAMPLING_ATTR,
  STATUS_ATTR,
  TRACE_CALLS_METRIC,
  TRACE_RED_METRIC,
} from '@pulseboard/shared';
import type { SeriesSamples } from '../../../model.ts';
import type { IngestLimits } from '../../native/decode.ts';
import { serviceName } from '../convert.ts';
import { Rejections } from '../rejections.ts';
import { type CallMemory, isCallee, isCaller, SpanLinks } from './links.ts';
import { type DecodedSpan, SPAN_KIND, STATUS_ERROR, type TraceExport } from './model.ts';
import { adjustedCount } from './sampling.ts';

/** Observations of one series from the spans of an export, and which spans (by index) they came from. */
export interface SpanEntry {
  samples: SeriesSamples & { timestamps: number[]; values: number[]; weights: number[] };
  points: number[];
}

export interface SpanMappingOptions {
  now: number;
  limits: IngestLimits;
  /**
   * Whether a service's RED comes from its `http.server.request.duration` metrics. Its spans then do not
   * count as requests (a request is counted once), though its calls to other services still do.
   */
  hasRequestMetrics: (service: string) => boolean;
  /** What earlier exports showed, to link calls across exports (see SpanLinks); none: this export's only. */
  memory?: CallMemory;
}

/** `http.status_code` is the pre-1.20 spelling older instrumentation still sends. */
const STATUS_ATTRIBUTES = [STATUS_ATTR, 'http.status_code'];

/**
 * Spans -> observations for the existing pipeline: a SERVER or CONSUMER span, or a root span of unspecified
 * kind, is one request of its resource's service (duration end - start in ms, route `http.route` else the
 * span name, an error when its status is ERROR or its HTTP status >= 500); a call between services becomes
 * an observation of TRACE_CALLS_METRIC of the caller (see SpanLinks). Each counts as many spans as its
 * sampling threshold says it stands for. Spans that cannot be stored (times out of range, over-long names)
 * are refused one by one, for partialSuccess; other spans (INTERNAL ones, say) are accepted and unused.
 */
export class SpanMapping {
  readonly entries: SpanEntry[] = [];
  readonly rejections = new Rejections('span');
  /** Spans seen. */
  spans = 0;
  /**
   * Entries by their series' identifying value (route or called service), each with what else tells its
   * series apart. Compared field by field rather than through one key string: the values come from the
   * decoder's string cache, and building and hashing a fresh key per observation was a seventh of the
   * worker's time on a trace export.
   */
  private readonly groups = new Map<string, { group: Group; entry: SpanEntry }[]>();
  private readonly oldest: number;
  private readonly newest: number;

  constructor(private readonly options: SpanMappingOptions) {
    this.oldest = options.now - options.limits.maxAgeMs;
    this.newest = options.now + options.limits.maxAheadMs;
  }

  run(trace: TraceExport): this {
    const links = new SpanLinks(trace, this.options.memory);
    for (const resource of trace.resources) {
      const service = serviceName(resource.attributes);
      const invalid = this.invalidService(service);
      const requests = !this.options.hasRequestMetrics(service);
      for (const span of resource.spans) {
        const id = this.spans++;
        const problem = invalid ?? this.spanProblem(span);
        if (problem) {
          this.rejections.reject(
            id,
            problem,
            `span "${span.name.slice(0, 100)}" of service "${service.slice(0, 100)}"`,
          );
          continue;
        }
        const facts = factsOf(span);
        if (requests && countsAsRequest(span)) {
          const route = String(span.attributes[ROUTE_ATTR] ?? '') || span.name;
          this.add(id, span, facts, { service, name: TRACE_RED_METRIC, key: ROUTE_ATTR, value: route });
        }
        // Calls are labelled by the other service only: their status codes would multiply the series.
        const call = { ...facts, status: 0 };
        const callee = isCaller(span.kind) ? links.calleeOf(span, service) : null;
        if (callee !== null) {
          this.add(id, span, call, { service, name: TRACE_CALLS_METRIC, key: PEER_SERVICE_ATTR, value: callee });
        }
        if (!isCallee(span.kind)) continue;
        links.noteServed(span, service);
        const caller = links.uninstrumentedCallerOf(span, service);
        if (caller !== null) {
          this.add(id, span, call, {
            service: caller,
            name: TRACE_CALLS_METRIC,
            key: PEER_SERVICE_ATTR,
            value: service,
          });
        }
      }
    }
    return this;
  }

  /** Adds one observation to the entry of its series, created with the series' attributes on first use. */
  private add(id: number, span: DecodedSpan, facts: SpanFacts, series: SeriesOf): void {
    const { status, errorType, sampling } = facts;
    let candidates = this.groups.get(series.value);
    if (!candidates) this.groups.set(series.value, (candidates = []));
    let entry: SpanEntry | undefined;
    for (const { group, entry: candidate } of candidates) {
      if (
        group.service === series.service &&
        group.name === series.name &&
        group.status === status &&
        group.errorType === errorType &&
        group.sampling === sampling
      ) {
        entry = candidate;
        break;
      }
    }
    if (!entry) {
      const attributes: Record<string, AttributeValue> = { [series.key]: series.value };
      if (status > 0) attributes[STATUS_ATTR] = status;
      if (errorType !== null) attributes[ERROR_TYPE_ATTR] = errorType;
      if (sampling !== null) attributes[SAMPLING_ATTR] = sampling;
      const identity = {
        service: series.service,
        name: series.name,
        kind: 'histogram' as const,
        unit: 'ms',
        attributes,
      };
      entry = { samples: { identity, timestamps: [], values: [], weights: [] }, points: [] };
      candidates.push({ group: { service: series.service, name: series.name, status, errorType, sampling }, entry });
      this.entries.push(entry);
    }
    entry.samples.timestamps.push(span.end);
    entry.samples.values.push(span.durationMs);
    entry.samples.weights.push(facts.weight);
    if (entry.points[entry.points.length - 1] !== id) entry.points.push(id);
  }

  private invalidService(service: string): string | null {
    const max = this.options.limits.maxNameLength;
    return service.length > max ? `with a service.name longer than ${max} characters` : null;
  }

  /** Why a span cannot be stored, phrased to follow "N spans ...", or null. */
  private spanProblem(span: DecodedSpan): string | null {
    if (span.end === 0) return 'without endTimeUnixNano, or with one in the first millisecond of 1970';
    if (span.end < this.oldest) return 'older than the longest retention';
    if (span.end > this.newest) return 'more than 10 minutes ahead of the server clock';
    if (!(span.durationMs >= 0)) return 'without a start time, or ending before they start';
    // A start at 0 (an SDK bug or a hostile span) would be a request of 56 years: every percentile it joins lies.
    if (span.end - span.durationMs < this.oldest) return 'starting before the longest retention';
    const max = this.options.limits.maxAttributeValueLength;
    for (const key in span.attributes) {
      const value = span.attributes[key];
      if (typeof value === 'string' && value.length > max) return `with an attribute value over ${max} characters`;
    }
    if (span.name.length > max) return `with a name over ${max} characters`;
    return null;
  }
}

/** What a span's observations carry besides their series: how many spans it stands for, status, error. */
interface SpanFacts {
  weight: number;
  /** HTTP response status code, 0 when none. */
  status: number;
  errorType: string | null;
  /** "unknown" when the span did not say how it was sampled. */
  sampling: string | null;
}

/** What tells the series of one identifying value apart (see SpanMapping.groups). */
interface Group {
  service: string;
  name: string;
  status: number;
  errorType: string | null;
  sampling: string | null;
}

/** The series an observation goes to: service, metric name, and its one identifying attribute. */
interface SeriesOf {
  service: string;
  name: string;
  key: string;
  value: string;
}

function factsOf(span: DecodedSpan): SpanFacts {
  const counted = adjustedCount(span.traceState);
  const status = statusOf(span);
  const error = span.status === STATUS_ERROR || status >= 500;
  // error.type as the semantic conventions fill it: the instrumentation's own, else the status code.
  const errorType = error ? String(span.attributes[ERROR_TYPE_ATTR] ?? (status >= 500 ? status : '_OTHER')) : null;
  return { weight: counted ?? 1, status, errorType, sampling: counted === null ? 'unknown' : null };
}

/** SERVER and CONSUMER spans are requests, and so is a root span whose kind is not given. */
function countsAsRequest(span: DecodedSpan): boolean {
  return isCallee(span.kind) || (span.kind === SPAN_KIND.unspecified && span.parentSpanId === '');
}

/** The span's HTTP response status code, 0 when it has none. */
function statusOf(span: DecodedSpan): number {
  for (const key of STATUS_ATTRIBUTES) {
    const status = Number(span.attributes[key]);
    if (Number.isInteger(status) && status > 0) return status;
  }
  return 0;
}
