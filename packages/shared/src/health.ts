/**
 * How health is scored, shared so the server's scores and the page's explanation of them cannot drift:
 * 1 within the target, falling linearly to 0 at 5x it.
 */
export function againstTarget(value: number, target: number): number {
  const ratio = value / target;
  return ratio <= 1 ? 1 : Math.max(0, 1 - (ratio - 1) / 4);
}
