import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { RedResponse } from '@pulseboard/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config } from '../config.ts';
import { getJson, startTestApp } from './test-app.ts';

/**
 * Test helpers for the tests that drive the real OpenTelemetry JS SDK. Partial successes and failed
 * exports reach the SDK's diag logger: this routes its warnings and errors into `problems` (undo with
 * `diag.disable()`), so a test can require that none appeared.
 */
function recordSdkProblems(problems: string[]): void {
  const record = (...args: unknown[]) => problems.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, DiagLogLevel.WARN);
}

/** The exact percentile as the server defines it: the value at rank floor(q * (n - 1)). */
export function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** A seeded generator of uniform values in (0, 1), so test data is the same on every run. */
export function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
}

/**
 * A server on a free port for a file of SDK tests: started before them, closed after, with the SDK's
 * problems in `problems`. The fields are set once `beforeAll` has run.
 */
export function sdkTestServer(overrides: Partial<Config> = {}): {
  app: FastifyInstance;
  base: string;
  problems: string[];
} {
  const server = { app: undefined as unknown as FastifyInstance, base: '', problems: [] as string[] };
  beforeAll(async () => {
    ({ app: server.app } = await startTestApp(overrides));
    server.base = await server.app.listen({ port: 0, host: '127.0.0.1' });
    recordSdkProblems(server.problems);
  });
  afterAll(async () => {
    diag.disable();
    await server.app.close();
  });
  return server;
}

/** The one RED point with requests that `/api/v1/red?query` returns (the query asks for one bucket). */
export async function singleRedPoint(app: FastifyInstance, query: string) {
  const res = await getJson<RedResponse>(app, `/api/v1/red?${query}`);
  expect(res.status).toBe(200);
  const points = res.body.series.flatMap((s) => s.points).filter((p) => p.count > 0);
  expect(points).toHaveLength(1);
  const p = points[0]!;
  return {
    count: p.count,
    errorRate: p.errorRate!,
    errors: Math.round(p.count * p.errorRate!),
    percentiles: { 0.5: p.p50!, 0.95: p.p95!, 0.99: p.p99! },
  };
}
