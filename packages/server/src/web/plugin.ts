import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Core } from '../core.ts';
import { pageConfigTag, spaFallbackApplies } from './spa.ts';

const DEFAULT_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export interface WebPluginOptions {
  core: Pick<Core, 'config'>;
  /** The built page; defaults to `packages/web/dist`. */
  root?: string;
}

/**
 * The dashboard's built files at `/`, with an SPA fallback so `/services/x` loads the page too. API-like paths
 * keep the JSON 404. Without a build this plugin does nothing (`npm start` builds first).
 */
export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, { core, root = DEFAULT_ROOT }) => {
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.log.warn(`dashboard not built (${indexFile} is missing): run \`npm run build:web\``);
    return;
  }
  // The page learns server settings it shows (health targets) from a meta tag, not from an extra request.
  const index = fs
    .readFileSync(indexFile, 'utf8')
    .replace('</head>', `${pageConfigTag({ healthTargets: core.config.healthTargets })}</head>`);

  // Vite puts every other file under assets/ with a content hash in its name: cacheable for good.
  await app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    // One route per file that exists now: a missing file is a plain 404, never the page.
    wildcard: false,
    index: false,
    immutable: true,
    maxAge: '365d',
  });

  const sendIndex = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get('/index.html', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (!spaFallbackApplies(request.url)) return reply.callNotFound();
    return sendIndex(reply);
  });
};
