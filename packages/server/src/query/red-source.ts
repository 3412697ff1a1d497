import { type RedSource, SAMPLING_ATTR, TRACE_RED_METRIC } from '@pulseboard/shared';
import { seriesAttributes } from '../model.ts';
import type { SeriesRecord } from '../store/store.ts';

/**
 * Per service, where its RED comes from (see ingest/otlp/traces for the rule): metrics when it has any
 * request-duration metric series, else its spans, "sampled" when any of its span series holds spans that
 * did not say how they were sampled.
 */
export function redSources(records: Iterable<SeriesRecord>): Map<string, RedSource> {
  const sources = new Map<string, RedSource>();
  for (const record of records) {
    if (!record.red || sources.get(record.service) === 'metrics') continue;
    if (record.name !== TRACE_RED_METRIC) sources.set(record.service, 'metrics');
    else if (seriesAttributes(record)[SAMPLING_ATTR] !== undefined) sources.set(record.service, 'sampled-traces');
    else if (!sources.has(record.service)) sources.set(record.service, 'traces');
  }
  return sources;
}
