import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER_ENTRY } from '../../scripts/build.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface TestServer {
  url: string;
  port: number;
  db: string;
  /** Stops the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts the process again on the same port and database. */
  restart(): Promise<void>;
  /** Stops it and deletes its database. */
  dispose(): Promise<void>;
  log(): string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitFor(url: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

/**
 * The real server, built as `npm start` runs it, in a child process on a free port with a temp database, demo
 * on unless `demo: false`, serving the built page. Resolves once `/readyz` answers (the demo backfill is done).
 * `flags` go to the server as further options (`--read-key ...`).
 */
export async function startServer(options: { demo?: boolean; flags?: readonly string[] } = {}): Promise<TestServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-e2e-'));
  const db = path.join(dir, 'e2e.db');
  let output = '';
  let child: ChildProcess;
  const start = async () => {
    const args = ['--enable-source-maps', SERVER_ENTRY, '--port', String(port), '--host', '127.0.0.1'];
    args.push('--db', db, '--log-level', 'warn', ...(options.flags ?? []));
    // Specs' webhook receivers listen on 127.0.0.1, which notifications may reach only when allowed.
    args.push('--webhook-allow', '127.0.0.0/8');
    if (options.demo === false) args.push('--no-demo');
    child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // The demo backfill (24 h of five services) takes ~15 s on an idle machine and over 90 s on a busy one.
    await waitFor(`http://127.0.0.1:${port}/readyz`, 240_000, child);
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await start();
  } catch (error) {
    // The caller gets no handle to stop it: a server that is not ready in time would otherwise run on (with
    // its demo generator) after the tests, and on a busy machine make the next start slower still.
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    db,
    stop,
    restart: start,
    dispose: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    log: () => output,
  };
}
