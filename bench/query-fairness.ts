/**
 * `npx tsx bench/query-fairness.ts [--url http://127.0.0.1:PORT] [--seconds 20] [--clients 8] [--query PATH]`:
 * how much heavy reads delay everyone else. Against a demo server (started here, built as `npm start` runs it,
 * unless `--url` names a running one), `--clients` loops each send the heavy read (default: RED by route over a
 * day) back to back while one loop asks `/healthz` every 20 ms and another posts a one-observation ingest batch
 * every 200 ms. Prints /healthz and ingest-acknowledgement latency (p50/p99/max) idle and under that load, and
 * how the heavy reads were answered (200, 503 with Retry-After, ...). Latency figures vary with whatever else
 * runs on the machine: compare runs taken in the same minutes.
 */
import { startServer } from '../e2e/support/server.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const seconds = Number(arg('seconds', '20'));
const clients = Number(arg('clients', '8'));
const heavyPath = arg('query', '/api/v1/red?from=now-1d&groupBy=route');

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const summary = (values: number[]) =>
  `n=${values.length} p50=${percentile(values, 50).toFixed(1)} ms p99=${percentile(values, 99).toFixed(1)} ms max=${Math.max(...values).toFixed(1)} ms`;

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    await res.arrayBuffer();
    return { ms: performance.now() - started, status: res.status };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `probe` every `everyMs` until `until`, collecting latencies. */
async function probeLoop(probe: () => Promise<{ ms: number }>, everyMs: number, until: number): Promise<number[]> {
  const out: number[] = [];
  while (performance.now() < until) {
    out.push((await probe()).ms);
    await sleep(everyMs);
  }
  return out;
}

async function measure(base: string, withLoad: boolean) {
  const until = performance.now() + seconds * 1000;
  const statuses = new Map<number, number>();
  const heavyMs: number[] = [];
  const heavy = withLoad
    ? Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          const r = await timed(`${base}${heavyPath}`);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          heavyMs.push(r.ms);
          // A refused read (503) is retried after a pause, as a client honouring Retry-After would.
          if (r.status !== 200) await sleep(250);
        }
      })
    : [];
  const ingestBody = () =>
    JSON.stringify({
      metrics: [{ service: 'bench-fairness', name: 'http.server.request.duration', type: 'histogram', value: 12 }],
    });
  const [healthz, ingest] = await Promise.all([
    probeLoop(() => timed(`${base}/healthz`), 20, until),
    probeLoop(
      () =>
        timed(`${base}/api/v1/metrics`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: ingestBody(),
        }),
      200,
      until,
    ),
    ...heavy,
  ]);
  return { healthz, ingest, statuses, heavyMs };
}

async function main(): Promise<void> {
  const given = process.argv.includes('--url') ? arg('url', '') : null;
  const server = given ? null : await startServer();
  const base = given ?? server!.url;
  try {
    for (let i = 0; i < 20; i++) await timed(`${base}/healthz`);
    const idle = await measure(base, false);
    const loaded = await measure(base, true);
    console.log(`server ${base}, ${clients} clients looping GET ${heavyPath} for ${seconds} s`);
    console.log(`idle   /healthz ${summary(idle.healthz)}`);
    console.log(`idle   ingest   ${summary(idle.ingest)}`);
    console.log(`loaded /healthz ${summary(loaded.healthz)}`);
    console.log(`loaded ingest   ${summary(loaded.ingest)}`);
    console.log(`heavy reads: ${[...loaded.statuses].map(([s, n]) => `${s || 'failed'} x${n}`).join(', ')}`);
    console.log(`heavy read latency ${summary(loaded.heavyMs)}`);
  } finally {
    await server?.dispose();
  }
}

await main();
