import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationType, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** A reader the test collects from by hand, at the temporality the exporter asks for. */
class ManualReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

export type Temporality = 'delta' | 'cumulative';

/**
 * The JS SDK's own aggregation and OTLP HTTP exporter, driven by hand: a test records, `collect`s, `retime`s the
 * points to its simulated clock and exports, instead of waiting for the periodic reader's real timer.
 * `exponential`: request durations as exponential histograms (a view, as users opt in); `instance`: the
 * resource's `service.instance.id` (one per pod of a service).
 */
export function manualSdk(
  url: string,
  service: string,
  temporality: Temporality,
  exponential = false,
  /** `service.instance.id`; null for none (the SDKs' default). */
  instance: string | null = 'test-1',
) {
  const exporter = new OTLPMetricExporter({
    url,
    // The default 10 s can pass while a loaded machine starts the server's decode worker from sources.
    timeoutMillis: 60_000,
    temporalityPreference:
      temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  });
  const reader = new ManualReader({
    aggregationTemporalitySelector: (type) => exporter.selectAggregationTemporality(type),
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      ...(instance === null ? {} : { 'service.instance.id': instance }),
    }),
    readers: [reader],
    views: exponential
      ? [
          {
            instrumentName: 'http.server.request.duration',
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
          },
        ]
      : [],
  });
  return { provider, reader, exporter };
}

/** Exports with `exporter` and resolves with its result (an error when the export failed). */
export function exportWith(exporter: OTLPMetricExporter, resourceMetrics: ResourceMetrics) {
  return new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(resourceMetrics, resolve));
}

/** Sets every point's start and end: the SDK took them from the real clock. */
export function retime(resourceMetrics: ResourceMetrics, start: number, end: number): void {
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        (point as { startTime: HrTime }).startTime = hrTime(start);
        (point as { endTime: HrTime }).endTime = hrTime(end);
      }
    }
  }
}

const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
