import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Text files worth compressing; fonts and images are compressed already. */
const COMPRESSIBLE = /\.(js|css|svg|json|html|txt)$/;

/**
 * Writes `NAME.br` (brotli, best quality) and `NAME.gz` (gzip -9) beside every compressible file under `dir`,
 * once per build: the server sends them by `Accept-Encoding` instead of compressing on every request.
 */
export function compressAssets(dir: string): { files: number; bytes: number; br: number; gzip: number } {
  const totals = { files: 0, bytes: 0, br: 0, gzip: 0 };
  for (const name of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(dir, name);
    if (!COMPRESSIBLE.test(name) || !fs.statSync(file).isFile()) continue;
    const content = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(content, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
    });
    const gzip = zlib.gzipSync(content, { level: 9 });
    fs.writeFileSync(`${file}.br`, br);
    fs.writeFileSync(`${file}.gz`, gzip);
    totals.files += 1;
    totals.bytes += content.length;
    totals.br += br.length;
    totals.gzip += gzip.length;
  }
  return totals;
}
