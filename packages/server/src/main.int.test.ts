import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('starting the server', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('on a busy port ends with one clear line and exit code 1, before opening the database', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-main-'));
    cleanups.push(() => {
      blocker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const db = path.join(dir, 'pulse.db');
    const args = ['--import', 'tsx', 'packages/server/src/main.ts', '--host', '127.0.0.1', '--port', String(port)];
    const child = spawn(process.execPath, [...args, '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stderr).toBe(
      `pulseboard: port ${port} is already in use on 127.0.0.1 (another Pulseboard?): stop that process or choose another port with --port N\n`,
    );
    expect(stdout).toBe('');
    // No work began: no database, so no demo history either.
    expect(fs.existsSync(db)).toBe(false);
  });

  it('on a PostgreSQL --db it cannot reach ends with a line naming --db, without the password, and exit code 2', async () => {
    const args = ['--import', 'tsx', 'packages/server/src/main.ts', '--no-demo', '--port', '0'];
    const db = 'postgres://pulse:secret@127.0.0.1:1/pulseboard';
    const child = spawn(process.execPath, [...args, '--db', db], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^pulseboard: --db: cannot use postgres:\/\/pulse:\*\*\*@127\.0\.0\.1:1\/pulseboard: .*ECONNREFUSED/,
    );
    expect(stderr).not.toContain('secret');
  });

  it('answers --help with every flag and its variable, and --version, without starting', async () => {
    const run = async (flag: string) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts', flag], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      return { code, stdout };
    };
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm start -- \[flags\]/m);
    expect(help.stdout).toMatch(/^ {2}--port VALUE +PULSEBOARD_PORT$/m);
    expect(help.stdout).toMatch(/^ {2}--\[no-\]demo +PULSEBOARD_DEMO$/m);
    expect(help.stdout).toContain('README.md, "Configuration"');
    expect(await run('--version')).toEqual({ code: 0, stdout: '0.1.0\n' });
  });
});
