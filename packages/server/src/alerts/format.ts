/** 90_000 -> "1m30s", 7_200_000 -> "2h", 0 -> "0s": the rule format's own units, for reasons. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1000));
  if (rest === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  // Two units are plenty to read ("1h5m", not "1h5m12s").
  return parts.slice(0, 2).join('');
}
