export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Exponential backoff with +-25 % jitter, so many pages do not reconnect in the same instant. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number): number {
  const exact = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exact * (0.75 + random() * 0.5));
}
