/** One OTLP delta export of 600 requests of 20 ms over [start, end), as an SDK sends it every minute. */
export function otlpMinute(service: string, start: number, end: number) {
  const point = {
    startTimeUnixNano: `${start}000000`,
    timeUnixNano: `${end}000000`,
    count: 600,
    sum: 600 * 0.02,
    explicitBounds: [0.01, 0.05],
    bucketCounts: [0, 600, 0],
    attributes: [{ key: 'http.response.status_code', value: { intValue: 200 } }],
  };
  const metric = {
    name: 'http.server.request.duration',
    unit: 's',
    histogram: { aggregationTemporality: 1, dataPoints: [point] },
  };
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeMetrics: [{ metrics: [metric] }],
      },
    ],
  };
}
