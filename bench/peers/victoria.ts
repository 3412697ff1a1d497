/**
 * VictoriaMetrics as a peer in the benchmark: installed from Debian's packages when missing, started on
 * 127.0.0.1 with a temporary data directory, fed InfluxDB line protocol, asked MetricsQL range queries.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestTarget } from '../ingest.ts';
import { freePort, procCpuSeconds, procField, procWrittenBytes } from '../server-process.ts';

const BINARY = '/usr/bin/victoria-metrics';

/** Line protocol answers 204 without a body: every line of the request was taken. */
export const LINE_PROTOCOL_TARGET: IngestTarget = {
  path: '/write?precision=ms',
  contentType: 'text/plain',
  accepted: (status, _body, sent) => (status === 204 ? sent : null),
};

/** Installs the Debian package when the binary is missing (`apt-get` as root); returns its version. */
export function ensureVictoriaMetrics(): string {
  if (!existsSync(BINARY)) {
    console.log('installing victoria-metrics from Debian packages ...');
    execFileSync('apt-get', ['install', '-y', '-q', 'victoria-metrics'], { stdio: 'inherit' });
  }
  // "victoria-metrics<TAB>1.79.5+ds1-2+b5"
  const listing = execFileSync('dpkg-query', ['-W', 'victoria-metrics'], { encoding: 'utf8' });
  return listing.trim().split('\t')[1] ?? 'unknown';
}

export interface VictoriaHandle {
  pid: number;
  baseUrl: string;
  peakRss(): number | null;
  cpuSeconds(): number | null;
  /** Bytes passed to write calls so far (see `ServerHandle.writtenBytes`). */
  writtenBytes(): number | null;
  /** Makes everything ingested so far searchable (it buffers recent rows in memory). */
  flush(): Promise<void>;
  /** A range query's time and the number of series it returned; `nocache` so each run does the work. */
  rangeQuery(query: string, start: number, end: number, stepSeconds: number): Promise<{ ms: number; series: number }>;
  stop(): Promise<void>;
}

export async function startVictoria(): Promise<VictoriaHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'pulseboard-peer-vm-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    BINARY,
    [
      `-storageDataPath=${join(dir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-loggerLevel=ERROR',
      // Data is queried right after it is sent: without this the last 30 s would be hidden.
      '-search.latencyOffset=0s',
      // Data from hours ago is the point of one workload; VictoriaMetrics refuses rows older than this.
      '-retentionPeriod=30d',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start victoria-metrics');
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const t0 = performance.now();
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || performance.now() - t0 > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`victoria-metrics did not start:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid,
    baseUrl,
    peakRss: () => procField(pid, 'VmHWM'),
    cpuSeconds: () => procCpuSeconds(pid),
    writtenBytes: () => procWrittenBytes(pid),
    async flush() {
      const res = await fetch(`${baseUrl}/internal/force_flush`);
      await res.arrayBuffer();
    },
    async rangeQuery(query, start, end, stepSeconds) {
      const params = new URLSearchParams({
        query,
        start: String(start / 1000),
        end: String(end / 1000),
        step: `${stepSeconds}s`,
        nocache: '1',
      });
      const t = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/query_range?${params}`);
      const text = await res.text();
      const ms = performance.now() - t;
      if (!res.ok) throw new Error(`VictoriaMetrics ${query}: HTTP ${res.status}: ${text.slice(0, 300)}`);
      const body = JSON.parse(text) as { data: { result: unknown[] } };
      return { ms, series: body.data.result.length };
    },
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
