import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../core.ts';
import { type Asset, chooseEncoding, compressedAsset, encodingsOf, loadAssets } from './assets.ts';
import { pageConfigTag, spaFallbackApplies } from './spa.ts';

const DEFAULT_ROOT = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export interface WebPluginOptions {
  core: Pick<Core, 'config'>;
  /** The built page; defaults to `packages/web/dist`. */
  root?: string;
}

/** Vite names every file under assets/ by its content hash: a changed file has a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The dashboard's built files at `/`, with an SPA fallback so `/services/x` loads the page too. API-like paths
 * keep the JSON 404. Files go out brotli- or gzip-compressed as the browser accepts, from copies the build
 * made (`scripts/compress.ts`). Without a build this plugin does nothing (`npm start` builds first).
 */
export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, { core, root = DEFAULT_ROOT }) => {
  const indexFile = path.join(root, 'index.html');
  if (!fs.existsSync(indexFile)) {
    app.log.warn(`dashboard not built (${indexFile} is missing): run \`npm run build\``);
    return;
  }
  // The page learns server settings it shows (health targets) from a meta tag, not from an extra request.
  const index = compressedAsset(
    'text/html; charset=utf-8',
    fs
      .readFileSync(indexFile, 'utf8')
      .replace('</head>', `${pageConfigTag({ healthTargets: core.config.healthTargets })}</head>`),
  );
  const assetsDir = path.join(root, 'assets');
  const assets = fs.existsSync(assetsDir) ? loadAssets(assetsDir) : new Map<string, Asset>();

  const send = async (request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) => {
    const encoding = chooseEncoding(request.headers['accept-encoding'], encodingsOf(asset));
    reply.type(asset.type).header('cache-control', cacheControl).header('vary', 'accept-encoding');
    if (encoding) return reply.header('content-encoding', encoding).send(asset[encoding]);
    // Read whole, so the response is still one write (see loadAssets).
    return reply.send(typeof asset.identity === 'string' ? await fs.promises.readFile(asset.identity) : asset.identity);
  };
  // Never cached without asking: it names the current hashed files.
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => send(request, reply, index, 'no-cache');

  app.get('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const asset = assets.get((request.params as { '*': string })['*']);
    // A missing file (an old hash) is a plain 404, never the page.
    return asset ? send(request, reply, asset, IMMUTABLE) : reply.callNotFound();
  });
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/index.html', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (!spaFallbackApplies(request.url)) return reply.callNotFound();
    return sendIndex(request, reply);
  });
};
