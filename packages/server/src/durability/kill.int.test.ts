import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsResponse, SeriesResponse } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../../..');
const BATCH = 200;

describe('durability', () => {
  let child: ChildProcess | null = null;
  afterEach(() => {
    child?.kill('SIGKILL');
  });

  it('keeps every acknowledged batch, exactly once, across kill -9', async () => {
    const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-kill-')), 'kill.db');
    const port = await freePort();
    child = await startServer(port, db);
    const acked = new Set<number>();
    const sent = new Set<number>();
    const started = Date.now();
    let next = 0;
    let dead = false;
    // Four senders post batches until the server dies under them.
    const sender = async () => {
      while (!dead) {
        const batch = next++;
        sent.add(batch);
        try {
          const res = await post(port, batch, started);
          if (res === 202) acked.add(batch);
        } catch {
          return;
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    await waitUntil(() => acked.size >= 40);
    child.kill('SIGKILL');
    dead = true;
    await Promise.all(senders);
    const killed = child;
    if (killed.exitCode === null && killed.signalCode === null)
      await new Promise((resolve) => killed.once('exit', resolve));

    child = await startServer(port, db);
    const metrics = (await (
      await fetch(`http://127.0.0.1:${port}/api/v1/metrics?service=kill-test`)
    ).json()) as MetricsResponse;
    const stored = (metrics.metrics[0]?.attributes.batch ?? []).map(Number);
    for (const batch of acked) expect(stored, `acknowledged batch ${batch}`).toContain(batch);
    for (const batch of stored) {
      expect(sent.has(batch)).toBe(true);
      const url = `http://127.0.0.1:${port}/api/v1/series?metric=latency&service=kill-test&stat=count&attr.batch=${batch}&from=${started - 60_000}&to=now&maxPoints=1`;
      const series = (await (await fetch(url)).json()) as SeriesResponse;
      const count = series.series[0]!.points.reduce((n, p) => n + (p.value ?? 0), 0);
      expect(count, `batch ${batch} stored whole and once`).toBe(BATCH);
    }
  }, 60_000);
});

async function post(port: number, batch: number, started: number): Promise<number> {
  const points = Array.from({ length: BATCH }, (_, i) => [started + (i % 50), 10 + i]);
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      metrics: [{ service: 'kill-test', name: 'latency', type: 'histogram', attributes: { batch }, points }],
    }),
  });
  await res.text();
  return res.status;
}

async function startServer(port: number, db: string): Promise<ChildProcess> {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'packages/server/src/main.ts',
      '--no-demo',
      '--port',
      String(port),
      '--db',
      db,
      '--log-level',
      'warn',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await waitUntil(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
    } catch {
      return false;
    }
  }, 20_000);
  return proc;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
