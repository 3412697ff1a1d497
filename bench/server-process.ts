/**
 * Runs the real server as a child process, built and started the way `npm start` does, so the figures include HTTP parsing,
 * validation and durable commits, and so its memory can be read from /proc without the client's
 * pre-built bodies in the same heap.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildAll, SERVER_ENTRY } from '../scripts/build.ts';

export interface ServerHandle {
  pid: number;
  port: number;
  baseUrl: string;
  dbPath: string;
  /** ms from spawn to the first 200 from /readyz. */
  readyMs: number;
  /** The JSON line the server logged when it started listening, if it did. */
  listenLine: string | null;
  /** Highest VmRSS seen by the 250 ms sampler, bytes (a cross-check of VmHWM). */
  sampledPeakRss(): number;
  /** Kernel's high-water mark of resident memory (VmHWM), bytes; null once the process is gone. */
  peakRss(): number | null;
  /** Current resident memory (VmRSS), bytes. */
  rss(): number | null;
  /** CPU seconds (user + system, all threads) the server has used so far; null once it is gone. */
  cpuSeconds(): number | null;
  /** Bytes the server has passed to write calls so far (files and sockets: /proc `wchar`); null once gone. */
  writtenBytes(): number | null;
  /** CPU seconds so far per thread: `main`, then others as name#tid (workers, libuv and V8 helpers). */
  threadCpuSeconds(): Map<string, number>;
  /** SIGTERM, then wait for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: string | null; ms: number; killed: boolean }>;
  /** The last lines the server wrote, for error messages. */
  output(): string;
}

export interface DbSize {
  db: number;
  wal: number;
  shm: number;
  total: number;
}

const REPO_ROOT = new URL('..', import.meta.url).pathname;

/** Asks the kernel for a free port (bind to 0, read it, close), so parallel runs never collide. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Reads one `Vm*` field (kB in /proc) as bytes. */
export function procField(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime from a /proc `stat` file (fields 14 and 15, in clock ticks; 100 per second on Linux). */
function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // The command name (field 2) may contain spaces; the fixed fields start after its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function procCpuSeconds(pid: number): number | null {
  try {
    return statCpuSeconds(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
}

/** `wchar` of /proc/<pid>/io: bytes passed to write(2), pwrite(2) and the like, files and sockets alike. */
export function procWrittenBytes(pid: number): number | null {
  try {
    const match = /^wchar:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

function procThreadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      out.set(tid === String(pid) ? 'main' : `${name}#${tid}`, statCpuSeconds(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** CPU seconds per thread used since `before` (a threadCpuSeconds() reading), busiest first, small ones left out. */
export function threadCpuSince(server: ServerHandle, before: Map<string, number>): [string, number][] {
  return [...server.threadCpuSeconds()]
    .map(([name, seconds]): [string, number] => [name, seconds - (before.get(name) ?? 0)])
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1]);
}

export function dbSize(dbPath: string): DbSize {
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const db = size(dbPath);
  const wal = size(`${dbPath}-wal`);
  const shm = size(`${dbPath}-shm`);
  return { db, wal, shm, total: db + wal + shm };
}

/**
 * Starts the server built from this tree (built first if stale), or `entry`: another build, for a before/after.
 * `demo`: run with the demo generator on, as `npm start` does (off by default: most benches measure exactly
 * the load they send). /readyz then waits for the demo's 24 h backfill, so give `readyTimeoutMs` room.
 * `db`: a `postgres://` URL in place of the SQLite file in `dir` (`dbPath` is then that URL); `args`: more flags.
 */
export async function startServer(
  dir: string,
  readyTimeoutMs = 30_000,
  options: { demo?: boolean; entry?: string; db?: string; args?: string[] } = {},
): Promise<ServerHandle> {
  const { entry } = options;
  if (entry === undefined) await buildAll(false);
  const port = await freePort();
  const dbPath = options.db ?? join(dir, 'bench.db');
  const baseUrl = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    // The same heap flags as `npm start`, so the figures are those of the server as users run it. Under a
    // 256 MiB cap V8 lets the old generation grow only ~1.3x past what survived the last full collection,
    // so ingest ran one every ~100 ms per thread; 2x halves that (docs/performance.md, "Threads and memory").
    [
      '--max-old-space-size=256',
      '--heap-growing-percent=100',
      '--max-semi-space-size=2',
      '--v8-pool-size=1',
      // BENCH_CPU_PROFILE=DIR writes the server's V8 CPU profiles there (one per thread) for a look in DevTools.
      ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : []),
      '--enable-source-maps',
      entry ?? SERVER_ENTRY,
      ...(options.demo ? [] : ['--no-demo']),
      '--port',
      String(port),
      '--db',
      dbPath,
      ...(options.args ?? []),
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the server');

  // Keep only a tail of the output: enough to explain a failure, bounded however chatty the server is.
  const tail: string[] = [];
  let listenLine: string | null = null;
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (listenLine === null && /listen/i.test(line) && line.trimStart().startsWith('{')) listenLine = line.trim();
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const output = (): string => tail.join('\n');

  let exited: { code: number | null; signal: string | null } | null = null;
  const exitPromise = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  let sampledPeak = 0;
  const sampler = setInterval(() => {
    const rss = procField(pid, 'VmRSS');
    if (rss !== null && rss > sampledPeak) sampledPeak = rss;
  }, 250);
  sampler.unref();

  // Poll /readyz: "ready" includes migrations and other start-up work, not just a bound socket.
  let readyMs = -1;
  while (readyMs < 0) {
    if (exited) {
      clearInterval(sampler);
      throw new Error(`server exited before ready (${JSON.stringify(exited)}):\n${output()}`);
    }
    if (performance.now() - t0 > readyTimeoutMs) {
      clearInterval(sampler);
      child.kill('SIGKILL');
      await exitPromise;
      throw new Error(`server not ready after ${readyTimeoutMs} ms:\n${output()}`);
    }
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) readyMs = performance.now() - t0;
    } catch {
      // not listening yet
    }
    if (readyMs < 0) await new Promise((r) => setTimeout(r, 100));
  }

  return {
    pid,
    port,
    baseUrl,
    dbPath,
    readyMs,
    get listenLine() {
      return listenLine;
    },
    sampledPeakRss: () => sampledPeak,
    peakRss: () => procField(pid, 'VmHWM'),
    rss: () => procField(pid, 'VmRSS'),
    cpuSeconds: () => procCpuSeconds(pid),
    writtenBytes: () => procWrittenBytes(pid),
    threadCpuSeconds: () => procThreadCpuSeconds(pid),
    output,
    async stop(timeoutMs = 30_000) {
      clearInterval(sampler);
      const started = performance.now();
      if (exited) return { ...(exited as { code: number | null; signal: string | null }), ms: 0, killed: false };
      child.kill('SIGTERM');
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      const result = await exitPromise;
      clearTimeout(timer);
      return { ...result, ms: performance.now() - started, killed };
    },
  };
}
