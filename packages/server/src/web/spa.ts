/** Paths that belong to the API or operations: an unknown one is a JSON 404, never the page. */
const NOT_PAGE = [/^\/api(\/|$)/, /^\/v1(\/|$)/, /^\/docs/, /^\/(metrics|healthz|readyz)(\/|$)/];

/**
 * A service's page: its name may end like a file (`payments.v2`, or `127.0.0.1`, a callee named by the
 * address called), and opening such a page's link afresh answered a JSON 404.
 */
const SERVICE_PAGE = /^\/services\/[^/]+\/?$/;

/** Whether an unmatched GET should get the page (client-side routes such as `/services/checkout`). */
export function spaFallbackApplies(url: string): boolean {
  const pathname = url.split('?')[0] ?? '';
  if (NOT_PAGE.some((re) => re.test(pathname))) return false;
  if (SERVICE_PAGE.test(pathname)) return true;
  // A missing file (`/assets/old-hash.js`, `/favicon.ico`) is a 404, not HTML a script tag would choke on.
  return !/\.[a-z0-9]+$/i.test(pathname);
}

/** `<meta name="pulseboard-config">` with JSON the page reads at start; escaped for an attribute value. */
export function pageConfigTag(config: unknown): string {
  const json = JSON.stringify(config)
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
  return `<meta name="pulseboard-config" content="${json}">`;
}
