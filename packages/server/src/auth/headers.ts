const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/**
 * The page runs only its own bundled scripts (Vite emits no inline ones) and talks only to this server
 * (`'self'` covers the same-origin WebSocket). Inline styles stay allowed: Recharts and React set style
 * attributes, and CSS cannot run code.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Responses that are never a page (JSON, Prometheus text, OTLP) may not be rendered or framed at all. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The security headers for a response; the page's policy for HTML (the dashboard and Swagger UI at /docs). */
export function securityHeaders(contentType: string | undefined): Record<string, string> {
  const html = contentType?.startsWith('text/html') ?? false;
  return { ...COMMON, 'content-security-policy': html ? PAGE_POLICY : API_POLICY };
}
