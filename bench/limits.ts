/**
 * Replays the memory attacks of issue 11 against a real server on 127.0.0.1 (started as `npm start` does,
 * 256 MiB heap cap) and prints RSS during and after each, whether the server survived, and what it
 * answered. Each scenario runs on a fresh server and database unless it says otherwise.
 *
 *   npx tsx bench/limits.ts [--entry packages/server/dist/node/main.mjs] [--only cardinality,limit,restart,attrs,bombs,bodies] [--keep]
 *
 * `--entry` runs another build (an older commit's bundle, for a before/after). The small versions of each
 * scenario are regression tests beside the code (series-limits.int.test.ts, body.test.ts, inflight.int.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildAll, SERVER_ENTRY } from '../scripts/build.ts';
import { freePort } from './server-process.ts';

const MiB = 1024 ** 2;
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const entry = option('entry') ?? SERVER_ENTRY;
const only = option('only')?.split(',') ?? ['cardinality', 'limit', 'restart', 'attrs', 'bombs', 'bodies'];

interface Server {
  port: number;
  db: string;
  alive(): boolean;
  rss(): number;
  /** Highest RSS sampled every 100 ms since the last `resetPeak`. */
  peak(): number;
  resetPeak(): void;
  stop(): Promise<void>;
  output(): string;
}

async function start(db: string): Promise<Server & { readyMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--max-old-space-size=256', '--heap-growing-percent=100', entry, '--no-demo', '--port', String(port), '--db', db],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  const rss = () => {
    try {
      return Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
  for (;;) {
    if (exited) throw new Error(`server exited before ready:\n${tail.join('\n')}`);
    if (performance.now() - t0 > 120_000) throw new Error('server not ready after 120 s');
    const status = await get(port, '/readyz').catch(() => 0);
    if (status === 200) break;
    await sleep(100);
  }
  return {
    port,
    db,
    readyMs: performance.now() - t0,
    alive: () => !exited,
    rss,
    peak: () => peak,
    resetPeak: () => (peak = rss()),
    output: () => tail.join('\n'),
    async stop() {
      clearInterval(sampler);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
    },
  };
}

interface Answer {
  status: number;
  body: string;
}

/** One POST; a refused connection or a reset counts as status 0. */
function post(port: number, url: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: url,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      },
    );
    req.setTimeout(120_000, () => req.destroy());
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(body);
  });
}

function get(port: number, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: url, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
const tally = (answers: Answer[]) => {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const code = /"code":"?(\w+)/.exec(a.body)?.[1];
    const key = `${a.status}${code && a.status !== 200 && a.status !== 202 ? ` ${code}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
};

/** Runs `send` for each of `items` with `parallel` at a time. */
async function pool<T>(items: T[], parallel: number, send: (item: T) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) answers.push(await send(items[next++]!));
    }),
  );
  return answers;
}

async function report(name: string, server: Server, answers: Answer[], note = ''): Promise<void> {
  const during = server.peak();
  await sleep(5_000);
  const after = server.rss();
  const alive = server.alive() && (await get(server.port, '/healthz').catch(() => 0)) === 200;
  console.log(
    `${name}: ${alive ? 'serving' : 'DEAD'}; peak RSS ${mib(during)}, 5 s after ${alive ? mib(after) : '-'}; answers ${JSON.stringify(tally(answers))}${note}`,
  );
  if (!alive) console.log(server.output());
}

const NOW = Date.now();
const native = (items: unknown[]) => Buffer.from(JSON.stringify({ metrics: items }));
const JSON_HEADERS = { 'content-type': 'application/json' };

/** ~440,000 series across 46 services, 9,565 each (under the per-service limit of 10,000). */
async function cardinality(server: Server): Promise<void> {
  const services = 46;
  const perService = 9_565;
  const batches: Buffer[] = [];
  for (let s = 0; s < services; s++) {
    for (let from = 0; from < perService; from += 5_000) {
      const items = [];
      for (let i = from; i < Math.min(perService, from + 5_000); i++) {
        items.push(queueGauge(s, `q-${i}`));
      }
      batches.push(native(items));
    }
  }
  server.resetPeak();
  const answers = await pool(batches, 2, (body) => post(server.port, '/api/v1/metrics', body, JSON_HEADERS));
  await report('cardinality (440k series, 46 services)', server, answers);
}

/** One gauge series of service `svc-<s>`, told apart by its queue id: how the attacks make new series. */
function queueGauge(s: number, id: string) {
  return {
    service: `svc-${s}`,
    name: 'queue.depth',
    type: 'gauge',
    value: 1,
    timestamp: NOW,
    attributes: { 'queue.id': id },
  };
}

/**
 * The worst case the defaults allow: 50,000 series (5 services x 10,000) whose identities are just under
 * the 1 KiB limit, then a restart on that database (`restart` follows it like `cardinality`).
 */
async function atLimit(server: Server): Promise<void> {
  const batches: Buffer[] = [];
  for (let s = 0; s < 5; s++) {
    for (let from = 0; from < 10_000; from += 2_000) {
      const items = [];
      for (let i = from; i < from + 2_000; i++) {
        const id = limitQueueId(s, i);
        items.push(queueGauge(s, id));
      }
      batches.push(native(items));
    }
  }
  server.resetPeak();
  const answers = await pool(batches, 2, (body) => post(server.port, '/api/v1/metrics', body, JSON_HEADERS));
  await report('at the limits (50,000 series of ~1 KiB identity)', server, answers);
}

/** A queue id that makes a series identity just under 1 KiB. */
const limitQueueId = (service: number, i: number) => `q-${service}-${i}-`.padEnd(900, 'x');

/** The same database started again: how long it takes, its memory, and whether it serves. */
async function restart(db: string, knownId: string): Promise<void> {
  const server = await start(db).catch((error: Error) => error);
  if (server instanceof Error) {
    console.log(`restart: DID NOT START (${server.message.split('\n').slice(-3).join(' | ')})`);
    return;
  }
  const known = await post(
    server.port,
    '/api/v1/metrics',
    native([{ service: 'svc-0', name: 'queue.depth', type: 'gauge', value: 2, attributes: { 'queue.id': knownId } }]),
    JSON_HEADERS,
  );
  const fresh = await post(
    server.port,
    '/api/v1/metrics',
    native([{ service: 'svc-new', name: 'g', type: 'gauge', value: 2 }]),
    JSON_HEADERS,
  );
  await report(
    `restart on that database (ready in ${(server.readyMs / 1000).toFixed(1)} s)`,
    server,
    [known, fresh],
    `; a known series ${known.status}, a new one ${fresh.status} ${fresh.body.slice(0, 120)}`,
  );
  await server.stop();
}

/** 400 series with 64 attributes of 4 KB each, 20 series per request. */
async function attrs(server: Server): Promise<void> {
  const batches: Buffer[] = [];
  for (let b = 0; b < 20; b++) {
    const items = Array.from({ length: 20 }, (_, i) => {
      const attributes: Record<string, string> = {};
      for (let a = 0; a < 64; a++) attributes[`attr.${a}`] = `${b}-${i}-${a}-`.padEnd(4_000, 'x');
      return { service: 'wide', name: 'g', type: 'gauge', value: 1, attributes };
    });
    batches.push(native(items));
  }
  server.resetPeak();
  const answers = await pool(batches, 2, (body) => post(server.port, '/api/v1/metrics', body, JSON_HEADERS));
  await report('attributes (400 series x 64 x 4 KB)', server, answers);
}

/** 150 parallel gzip bombs of ~1 MB, each inflating to ~1 GiB. */
async function bombs(server: Server): Promise<void> {
  const gzip = zlib.createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const zeros = Buffer.alloc(MiB);
  for (let i = 0; i < 1024; i++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  await new Promise((r) => gzip.end(r));
  const bomb = Buffer.concat(out);
  server.resetPeak();
  const headers = { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' };
  const answers = await pool(Array(150).fill(bomb), 150, (body) => post(server.port, '/v1/metrics', body, headers));
  await report(`gzip bombs (150 parallel x ${mib(bomb.length)} -> 1 GiB)`, server, answers);
}

/** 40 parallel native bodies of 14.7 MiB (valid: one series' points). */
async function bodies(server: Server): Promise<void> {
  const points: [number, number][] = [];
  let size = 0;
  for (let i = 0; size < 14.7 * MiB - 64; i++) {
    const point: [number, number] = [NOW - (i % 3_000_000), i % 1000];
    points.push(point);
    size += JSON.stringify(point).length + 1;
  }
  const body = native([{ service: 'bulk', name: 'bulk.g', type: 'gauge', points }]);
  server.resetPeak();
  const answers = await pool(Array(40).fill(body), 40, (b) => post(server.port, '/api/v1/metrics', b, JSON_HEADERS));
  await report(`large bodies (40 parallel x ${mib(body.length)})`, server, answers);
}

async function main(): Promise<void> {
  if (entry === SERVER_ENTRY) await buildAll(false);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-limits-'));
  console.log(`server ${entry}; databases in ${dir}`);
  try {
    const scenarios: [string, (server: Server) => Promise<void>][] = [
      ['cardinality', cardinality],
      ['limit', atLimit],
      ['attrs', attrs],
      ['bombs', bombs],
      ['bodies', bodies],
    ];
    for (const [name, run] of scenarios) {
      if (!only.includes(name)) continue;
      const server = await start(path.join(dir, `${name}.db`));
      try {
        await run(server);
      } finally {
        await server.stop();
      }
      if ((name === 'cardinality' || name === 'limit') && only.includes('restart')) {
        await restart(path.join(dir, `${name}.db`), name === 'limit' ? limitQueueId(0, 1) : 'q-1');
      }
    }
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
