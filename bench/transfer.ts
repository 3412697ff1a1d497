import type { Page } from 'playwright-core';

/** Bytes on the wire per response, as Chromium counts them (compressed body plus headers). */
export function transferCounter(page: Page): () => Promise<{ totalKb: number; jsKb: number; requests: number }> {
  const sizes: Promise<{ url: string; bytes: number }>[] = [];
  page.on('requestfinished', (request) => {
    sizes.push(
      request.sizes().then((s) => ({ url: request.url(), bytes: s.responseBodySize + s.responseHeadersSize })),
    );
  });
  return async () => {
    const all = await Promise.all(sizes);
    const sum = (list: { bytes: number }[]) => list.reduce((n, r) => n + r.bytes, 0) / 1024;
    return { totalKb: sum(all), jsKb: sum(all.filter((r) => /\.js(\?|$)/.test(r.url))), requests: all.length };
  };
}
