/**
 * `npm run dev`: the server (restarting on change) and Vite with hot reload, which proxies the API and the
 * live socket to the server. Open the URL Vite prints. Arguments go to the server (`npm run dev -- --no-demo`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const args = process.argv.slice(2);
const portFlag = args.indexOf('--port');
const port = portFlag >= 0 ? args[portFlag + 1] : (process.env.PULSEBOARD_PORT ?? '3000');

const children: ChildProcess[] = [
  spawn('npx', ['tsx', 'watch', 'packages/server/src/main.ts', ...args], { cwd: root, stdio: 'inherit' }),
  spawn('npx', ['vite', 'packages/web'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PULSEBOARD_PORT: port },
  }),
];

// When either stops (or on Ctrl-C), stop the other, so nothing is left running.
const stopAll = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
for (const child of children) child.on('exit', stopAll);
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
