import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export type Encoding = 'br' | 'gzip';

/** One file of the built page in memory, with the compressed copies the build wrote beside it. */
export interface Asset {
  type: string;
  /**
   * The file as it is: a Buffer, or the path to read it from when the build wrote a compressed copy (browsers
   * always take one, so the plain bytes, ~0.9 MB of the page's 1.4, were held for `curl` only).
   */
  identity: Buffer | string;
  br?: Buffer;
  gzip?: Buffer;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};
const SUFFIX: Record<Encoding, string> = { br: '.br', gzip: '.gz' };

/**
 * Reads every file under `dir` (the page's assets are a few hundred KB) with its `.br` and `.gz` copies.
 * Held in memory so each response is one write: streamed from disk, a response took one event-loop turn
 * per 64 KB chunk, each queued behind whatever else the server was doing (the demo backfill at first start).
 * A file with a compressed copy keeps only its path for the plain bytes (`identity`).
 */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name);
    if (/\.(br|gz)$/.test(name) || !fs.statSync(file).isFile()) continue;
    const read = (suffix: string) => (fs.existsSync(file + suffix) ? fs.readFileSync(file + suffix) : undefined);
    const br = read(SUFFIX.br);
    const gzip = read(SUFFIX.gzip);
    assets.set(name.split(path.sep).join('/'), {
      type: TYPES[path.extname(name)] ?? 'application/octet-stream',
      identity: br || gzip ? file : fs.readFileSync(file),
      br,
      gzip,
    });
  }
  return assets;
}

/** An asset made at start (the page with its settings tag): compressed once, here. */
export function compressedAsset(type: string, content: string): Asset {
  const identity = Buffer.from(content);
  return { type, identity, br: zlib.brotliCompressSync(identity), gzip: zlib.gzipSync(identity, { level: 9 }) };
}

/**
 * The encoding to send, from `Accept-Encoding` and the copies there are: brotli (smallest) first, then gzip,
 * else none. A coding listed with `q=0` is refused; `*` stands for any coding not listed.
 */
export function chooseEncoding(accept: string | undefined, available: readonly Encoding[]): Encoding | null {
  if (!accept) return null;
  const q = new Map<string, number>();
  for (const part of accept.toLowerCase().split(',')) {
    const [coding = '', ...params] = part.trim().split(';');
    const weight = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(coding.trim(), weight === undefined ? 1 : Number(weight));
  }
  const accepted = (coding: Encoding) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  return (['br', 'gzip'] as const).find((coding) => available.includes(coding) && accepted(coding)) ?? null;
}

/** The available encodings of an asset, for `chooseEncoding`. */
export function encodingsOf(asset: Asset): Encoding[] {
  return (['br', 'gzip'] as const).filter((coding) => asset[coding] !== undefined);
}
