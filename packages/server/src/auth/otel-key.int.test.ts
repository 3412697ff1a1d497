import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../testing/test-app.ts';

const INGEST = 'otel-ingest-key-0123456789';
const READ = 'otel-read-key-0123456789';

describe('an OpenTelemetry exporter with a key', () => {
  it('sends the key from OTEL_EXPORTER_OTLP_HEADERS (URL-encoded, as the README says); without it, 401', async () => {
    const { app } = await startTestApp({
      keys: [
        { role: 'ingest', secret: INGEST, label: null },
        { role: 'read', secret: READ, label: null },
      ],
    });
    close = () => app.close();
    const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/v1/metrics`;
    const problems: string[] = [];
    const record = (...args: unknown[]) => problems.push(args.map(String).join(' '));
    const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, DiagLogLevel.WARN);

    await exportOne(url, 'without-key');
    expect(problems.join('\n')).toMatch(/Unauthorized|401/);
    problems.length = 0;

    process.env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer%20${INGEST}`;
    try {
      await exportOne(url, 'with-key');
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    }
    expect(problems).toEqual([]);
    const services = await app.inject({ url: '/api/v1/services', headers: { authorization: `Bearer ${READ}` } });
    expect(services.json().services.map((s: { name: string }) => s.name)).toEqual(['with-key']);
  });
});

let close: () => Promise<void> = async () => {};
afterEach(async () => {
  diag.disable();
  await close();
});

/** One histogram observation exported by the SDK (the exporter reads the env when it is built). */
async function exportOne(url: string, service: string): Promise<void> {
  const exporter = new OTLPMetricExporter({ url });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [reader],
  });
  provider.getMeter('test').createHistogram('http.server.request.duration', { unit: 's' }).record(0.05);
  await provider.forceFlush();
  await provider.shutdown();
}
