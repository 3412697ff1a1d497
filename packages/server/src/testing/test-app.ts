import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { type Config, defaultConfig } from '../config.ts';

/** A server on a real SQLite file in a fresh temp folder, demo off, quiet. Close it with `app.close()`. */
export async function startTestApp(overrides: Partial<Config> = {}, now?: () => number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-test-'));
  const config: Config = {
    ...defaultConfig(),
    db: path.join(dir, 'test.db'),
    demo: false,
    logLevel: 'silent',
    ...overrides,
  };
  const app: FastifyInstance = await buildApp(Object.freeze(config), now ? { now } : {});
  await app.ready();
  return { app, config, dir };
}

/** Posts a native batch and returns status and parsed body. */
export async function ingest(app: FastifyInstance, metrics: unknown[]) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/metrics', payload: { metrics } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

export async function getJson<T>(app: FastifyInstance, url: string): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json() as T };
}

/** Deterministic log-normal latencies (ms) from a seeded generator. */
export function logNormalValues(n: number, seed: number, mu = 3, sigma = 0.8): number[] {
  let state = seed;
  const uniform = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 0.5) / 2 ** 31;
  };
  return Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    return Math.exp(mu + sigma * normal);
  });
}
