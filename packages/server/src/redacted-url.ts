/** A connection URL fit for logs and messages: its password, if any, replaced by `***`. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
