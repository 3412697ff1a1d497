import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the limit gauges read when /metrics is scraped. */
export interface LimitSources {
  series(): number;
  services(): number;
  inflightBytes(): number;
}

/** The server's own health as Prometheus metrics; one registry per app so tests can build several. */
export function createMetrics(limits?: LimitSources) {
  const registry = new Registry();
  // Unprefixed (`process_*`, `nodejs_*`): the names the usual Node.js process dashboards and alerts expect.
  collectDefaultMetrics({ register: registry });
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
    authFailures: new Counter({
      name: 'pulseboard_auth_failures_total',
      help: 'Keys presented that are not valid (Bearer header or page login)',
      registers: [registry],
    }),
    authThrottled: new Counter({
      name: 'pulseboard_auth_throttled_total',
      help: 'Requests refused with 429 because their address sent too many bad keys',
      registers: [registry],
    }),
    otlpRejected: new Counter({
      name: 'pulseboard_otlp_rejected_items_total',
      help: 'OTLP data points and spans refused inside an accepted export (its partialSuccess), by signal',
      labelNames: ['signal'],
      registers: [registry],
    }),
    limitRefusals: new Counter({
      name: 'pulseboard_limit_refusals_total',
      help: 'Ingest refused by a memory limit: native requests, OTLP series (each once per export), bodies past the in-flight budget',
      labelNames: ['limit'],
      registers: [registry],
    }),
    seriesStored: new Gauge({
      name: 'pulseboard_series',
      help: 'Series the registry holds (the --max-series limit applies to this)',
      registers: [registry],
      collect() {
        if (limits) this.set(limits.series());
      },
    }),
    servicesStored: new Gauge({
      name: 'pulseboard_services',
      help: 'Services with series (the --max-services limit applies to this)',
      registers: [registry],
      collect() {
        if (limits) this.set(limits.services());
      },
    }),
    inflightBytes: new Gauge({
      name: 'pulseboard_inflight_body_bytes',
      help: 'Request body bytes ingest holds now: read, inflated or being decoded (--max-inflight-bytes)',
      registers: [registry],
      collect() {
        if (limits) this.set(limits.inflightBytes());
      },
    }),
    queriesRefused: new Counter({
      name: 'pulseboard_query_refused_total',
      help: 'Reads refused before they ran: too_large (400, over a query limit) or busy (503, heavy-read queue full)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    liveRefused: new Counter({
      name: 'pulseboard_live_refused_total',
      help: 'Live sockets refused or closed, and subscriptions refused: subscriptions, bad_messages, messages, queue, connections',
      labelNames: ['reason'],
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
