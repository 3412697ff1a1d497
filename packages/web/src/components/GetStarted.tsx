import { useEffect, useRef } from 'react';

/** How often to look for the first service while there is none: a user who just sent data waits for this. */
const POLL_MS = 2_000;

/** The commands shown, for this server's own address. */
export function sendCommands(origin: string): { otel: string; curl: string } {
  const otel = [
    'OTEL_SERVICE_NAME=my-service',
    `OTEL_EXPORTER_OTLP_ENDPOINT=${origin}`,
    'OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    'OTEL_METRICS_EXPORTER=otlp',
    'OTEL_METRIC_EXPORT_INTERVAL=5000',
    'OTEL_SEMCONV_STABILITY_OPT_IN=http',
    'node --require @opentelemetry/auto-instrumentations-node/register server.js',
  ].join(' \\\n');
  const item = {
    service: 'checkout',
    name: 'http.server.request.duration',
    type: 'histogram',
    unit: 'ms',
    value: 42,
    attributes: { 'http.route': '/pay', 'http.response.status_code': 200 },
  };
  const curl = `curl -X POST ${origin}/api/v1/metrics -H 'content-type: application/json' \\\n  -d '${JSON.stringify({ metrics: [item] })}'`;
  return { otel, curl };
}

/**
 * What an empty server shows instead of empty charts: how to send the first metrics. It looks for services
 * every few seconds, and the dashboard replaces it as soon as one reports.
 */
export function GetStarted({ recheck }: { recheck: () => void }) {
  // Through a ref: `recheck` is a new function on every render, which would restart the interval each time.
  const recheckRef = useRef(recheck);
  recheckRef.current = recheck;
  useEffect(() => {
    const timer = setInterval(() => recheckRef.current(), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const { otel, curl } = sendCommands(window.location.origin);
  return (
    <section className="panel get-started" data-testid="get-started" aria-labelledby="get-started-title">
      <h2 id="get-started-title">No metrics yet</h2>
      <p>
        Point any OpenTelemetry SDK or Collector at this server (exporters add <code>/v1/metrics</code>, and{' '}
        <code>/v1/traces</code> for spans: a service that sends only traces shows too). A Node service with zero-code
        instrumentation (<code>npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node</code>):
      </p>
      <pre data-testid="get-started-otel">{otel}</pre>
      <p>Or send one request's latency with the JSON API:</p>
      <pre data-testid="get-started-curl">{curl}</pre>
      <p className="muted">
        This page switches to the dashboard when the first service reports. To look around first, start the server with
        its demo services: <code>npm start</code> (without <code>--no-demo</code>).
      </p>
    </section>
  );
}
