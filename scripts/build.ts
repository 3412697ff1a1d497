/**
 * `npm run build` builds the dashboard (Vite, into packages/web/dist, with brotli and gzip copies of each
 * asset) and the server (esbuild, one bundle per thread into packages/server/dist/node). `--if-stale`, which
 * `npm start` uses (scripts/start.sh), builds each only when its output is missing or older than its
 * sources, so a fresh clone works after `npm install && npm start` and later starts skip the build.
 *
 * The server runs as plain JavaScript because a TypeScript loader at run time costs every thread (the
 * main one and each decode worker) a loader thread, tens of MB and seconds of CPU at start.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { compressAssets } from './compress.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...parts: string[]) => path.join(root, ...parts);

/** The server's bundles; `main.mjs` is what `npm start` runs. Two levels under packages/server, see web/plugin.ts. */
export const SERVER_ENTRY = at('packages/server/dist/node/main.mjs');

function newest(file: string): number {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...fs.readdirSync(file).map((name) => newest(path.join(file, name))));
}

const stale = (output: string, sources: string[]) =>
  (fs.statSync(output, { throwIfNoEntry: false })?.mtimeMs ?? 0) < Math.max(...sources.map(newest));

function buildWeb(): void {
  process.stdout.write('pulseboard: building the dashboard (packages/web)...\n');
  // Explicit: a caller's NODE_ENV (vitest sets `test`) would otherwise give React's development build.
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: at('packages/web'),
    stdio: 'inherit',
    env,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  const { files, bytes, br, gzip } = compressAssets(at('packages/web/dist/assets'));
  const kb = (n: number) => `${Math.round(n / 1024)} KB`;
  process.stdout.write(`pulseboard: ${files} page assets, ${kb(bytes)}: ${kb(br)} brotli, ${kb(gzip)} gzip\n`);
}

/**
 * Installed packages bundled all the same: typebox is ~680 small ES modules, and each module loaded keeps its
 * record, scope and source text in the heap for good: imported as installed it holds ~5.4 MiB of heap, bundled
 * ~1 MiB (docs/performance.md, 2026-12-04, "Idle memory with the demo on: fewer modules at start").
 */
const BUNDLED = /^typebox(\/|$)/;

/** Workspace packages (TypeScript sources) go into the bundle; installed packages stay imports, but BUNDLED. */
const externalDependencies: Plugin = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@pulseboard/') || BUNDLED.test(args.path) ? undefined : { path: args.path, external: true },
    );
  },
};

async function buildServer(): Promise<void> {
  process.stdout.write('pulseboard: building the server (packages/server)...\n');
  const outdir = path.dirname(SERVER_ENTRY);
  fs.rmSync(outdir, { recursive: true, force: true });
  await build({
    // The worker's file name matches the source tree's loader shim, so `new URL('./decode-worker.mjs',
    // import.meta.url)` finds the right one both from sources (tsx) and from the bundle.
    entryPoints: {
      main: at('packages/server/src/main.ts'),
      'decode-worker': at('packages/server/src/ingest/decode-worker.ts'),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // Stack traces (`--enable-source-maps`) need the mappings only; each module's map stays in the heap for
    // good, and the sources inside it were ~1 MiB of it (docs/performance.md, 2026-12-04, "what the live heap is").
    sourcesContent: false,
    plugins: [externalDependencies],
    logLevel: 'warning',
  });
}

const serverSources = ['packages/server/src', 'packages/shared/src', 'packages/demo/src', 'scripts/build.ts'].map((p) =>
  at(p),
);
const webSources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => at('packages/web', p));
webSources.push(at('packages/shared/src'), at('scripts/compress.ts'));

/** Builds what is stale (everything with `force`). */
export async function buildAll(force: boolean): Promise<void> {
  if (force || stale(at('packages/web/dist/index.html'), webSources)) buildWeb();
  if (force || stale(SERVER_ENTRY, serverSources)) await buildServer();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await buildAll(!process.argv.includes('--if-stale'));
}
