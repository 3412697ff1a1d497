import type { FastifyInstance } from 'fastify';

interface HistogramPoint {
  explicitBounds: number[];
  bucketCounts: number[];
  count: number;
  sum: number;
  min?: number;
  max?: number;
}

/** One OTLP delta export of 600 requests of 20 ms over [start, end), as an SDK sends it every minute. */
export function otlpMinute(service: string, start: number, end: number) {
  return otlpExport(service, start, end, {
    count: 600,
    sum: 600 * 0.02,
    explicitBounds: [0.01, 0.05],
    bucketCounts: [0, 600, 0],
  });
}

/**
 * One OTLP delta export over [start, end) of requests of the given durations (ms), each distinct duration in
 * a bucket of its own 0.2 % wide, so the server's sketch holds them as exactly as its own resolution allows.
 */
export function otlpDurations(service: string, start: number, end: number, durationsMs: readonly number[]) {
  const distinct = [...new Set(durationsMs)].sort((a, b) => a - b);
  const explicitBounds = distinct.flatMap((ms) => [(ms * 0.999) / 1000, (ms * 1.001) / 1000]);
  const bucketCounts = new Array<number>(explicitBounds.length + 1).fill(0);
  for (const ms of durationsMs) bucketCounts[2 * distinct.indexOf(ms) + 1]!++;
  return otlpExport(service, start, end, {
    count: durationsMs.length,
    sum: durationsMs.reduce((sum, ms) => sum + ms, 0) / 1000,
    min: distinct[0]! / 1000,
    max: distinct.at(-1)! / 1000,
    explicitBounds,
    bucketCounts,
  });
}

/** One OTLP cumulative export: `count` requests of 20 ms since `start`, as of `time`. */
export function otlpCumulativeRequests(service: string, start: number, time: number, count: number, instance?: string) {
  const histogram = { count, sum: count * 0.02, explicitBounds: [0.01, 0.05], bucketCounts: [0, count, 0] };
  return otlpExport(service, start, time, histogram, CUMULATIVE, instance);
}

const DELTA = 1;
const CUMULATIVE = 2;

function otlpExport(
  service: string,
  start: number,
  end: number,
  histogram: HistogramPoint,
  temporality = DELTA,
  instance?: string,
) {
  const point = {
    startTimeUnixNano: `${start}000000`,
    timeUnixNano: `${end}000000`,
    ...histogram,
    attributes: [{ key: 'http.response.status_code', value: { intValue: 200 } }],
  };
  const metric = {
    name: 'http.server.request.duration',
    unit: 's',
    histogram: { aggregationTemporality: temporality, dataPoints: [point] },
  };
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            ...(instance === undefined ? [] : [{ key: 'service.instance.id', value: { stringValue: instance } }]),
          ],
        },
        scopeMetrics: [{ metrics: [metric] }],
      },
    ],
  };
}

/** An OTLP metrics export (JSON form) of one service's `metrics`. */
export function metricsExport(service: string, metrics: unknown[]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [{ metrics }],
      },
    ],
  };
}

/** POSTs an OTLP metrics body to /v1/metrics. */
export function postMetrics(app: FastifyInstance, payload: Buffer, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url: '/v1/metrics', headers, payload });
}
