import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../../..');

/** Polls `check` until it holds; throws after `timeoutMs` (a bound on a hang, not a measured time). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ServerProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** What it printed, for a failing test's message. */
  output(): string;
}

/** The server from its sources (`main.ts` under tsx) in a child process, demo off; resolves once `/readyz` answers. */
export async function startServerProcess(options: { db: string; flags?: readonly string[] }): Promise<ServerProcess> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'packages/server/src/main.ts', '--no-demo', '--port', String(port)];
  args.push('--db', options.db, '--log-level', 'warn', ...(options.flags ?? []));
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`);
    try {
      return (await fetch(`${url}/readyz`)).ok;
    } catch {
      return false;
    }
  }, 60_000);
  return { port, url, child, output: () => output };
}

/** kill -9, and waits until the process is gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
