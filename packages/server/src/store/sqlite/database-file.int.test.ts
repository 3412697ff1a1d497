import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseFileError } from './database-file.ts';
import { openSqliteStore } from './sqlite-store.ts';

const ROOT = fileURLToPath(new URL('../../../../..', import.meta.url));

describe('the database file', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('is opened by one store at a time; the second is refused with the file named, until the first closes', async () => {
    const file = path.join(tempDir(), 'one.db');
    const first = openSqliteStore(file);
    expect(() => openSqliteStore(file)).toThrow(DatabaseFileError);
    expect(() => openSqliteStore(file)).toThrow(
      `database ${file} is in use by another Pulseboard server (it holds ${file}.lock); stop that one, or start this one with another --db`,
    );
    await first.close();
    await openSqliteStore(file).close();
  });

  it('names the file when it cannot be opened, is not a database, or its folder cannot be made', async () => {
    const dir = tempDir();
    expect(() => openSqliteStore(dir)).toThrow(new RegExp(`^database ${dir}: cannot open it: .*SQLITE_CANTOPEN`));
    const junk = path.join(dir, 'notes.txt');
    fs.writeFileSync(junk, 'these are not the pages you are looking for\n'.repeat(100));
    expect(() => openSqliteStore(junk)).toThrow(`database ${junk}: it is not a SQLite database (SQLITE_NOTADB`);
    const under = path.join(junk, 'sub', 'p.db');
    expect(() => openSqliteStore(under)).toThrow(new RegExp(`^database ${under}: ENOTDIR`));
    // A refused open leaves no lock behind.
    fs.rmSync(junk);
    await openSqliteStore(junk).close();
  });

  it('stops a second server on the same file at start with a message naming it; a server killed with -9 does not block the next', async () => {
    const db = path.join(tempDir(), 'shared.db');
    const port = await freePort();
    const first = startProcess(children, port, db);
    await waitUntilReady(port, first);

    const second = startProcess(children, await freePort(), db);
    const [code] = await exited(second.child);
    expect(code).toBe(2);
    expect(second.stderr()).toBe(
      `pulseboard: database ${db} is in use by another Pulseboard server (it holds ${db}.lock); stop that one, or start this one with another --db\n`,
    );

    first.child.kill('SIGKILL');
    await exited(first.child);
    const third = startProcess(children, port, db);
    await waitUntilReady(port, third);
  }, 60_000);
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-dbfile-'));
}

/** `main.ts` in a child process, as `npm start` runs it but from sources. */
function startProcess(children: ChildProcess[], port: number, db: string) {
  const args = ['--import', 'tsx', 'packages/server/src/main.ts', '--no-demo', '--port', String(port), '--db', db];
  const child = spawn(process.execPath, [...args, '--log-level', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
}

async function waitUntilReady(port: number, server: { child: ChildProcess; stderr: () => string }): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`server exited: ${server.stderr()}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server not ready in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
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
