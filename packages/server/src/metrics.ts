import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The server's own health as Prometheus metrics; one registry per app so tests can build several. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pulseboard_' });
  return {
    registry,
    ingested: new Counter({
      name: 'pulseboard_ingested_observations_total',
      help: 'Observations acknowledged',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'pulseboard_rejected_requests_total',
      help: 'Requests answered with a 4xx or 5xx, by code',
      labelNames: ['code'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'pulseboard_http_request_duration_seconds',
      help: 'HTTP request durations by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    rebuildBacklog: new Gauge({
      name: 'pulseboard_rebuild_backlog',
      help: 'Closed or open 1 min / 1 h buckets with new data not yet rebuilt from the tier below',
      registers: [registry],
    }),
    liveClients: new Gauge({
      name: 'pulseboard_live_clients',
      help: 'Connected WebSocket clients',
      registers: [registry],
    }),
    droppedFrames: new Counter({
      name: 'pulseboard_live_dropped_frames_total',
      help: 'Frames skipped because a client was not reading fast enough',
      registers: [registry],
    }),
    storeWrite: new Histogram({
      name: 'pulseboard_store_write_seconds',
      help: 'Time to fold and commit one group of ingest requests',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'pulseboard_notifications_total',
      help: 'Alert messages per receiver: delivered, failed (after retries), refused (destination policy), dropped (queue full)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    diskFull: new Counter({
      name: 'pulseboard_disk_full_errors_total',
      help: 'Writes refused because the database disk was full (answered 503 with Retry-After)',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
