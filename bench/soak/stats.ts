/** Small helpers the soak's parts share: latency windows, a /metrics reader, pacing. */

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Latencies of one reporting interval. `take()` hands them over and starts a new window, so every printed
 * line describes its own 10 s and a slow start does not hide a later spike (or the reverse).
 */
export class Window {
  private values: number[] = [];
  private all: number[] = [];
  add(ms: number): void {
    this.values.push(ms);
  }
  take(): number[] {
    const out = this.values;
    this.values = [];
    // Kept as a sorted sample of at most a few thousand per interval, so a 10-minute run stays small.
    this.all.push(...out);
    return out.sort((a, b) => a - b);
  }
  /** Every value taken so far, sorted. */
  everything(): number[] {
    return [...this.all].sort((a, b) => a - b);
  }
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export type Scrape = Map<string, number>;

/**
 * Reads the Prometheus text of GET /metrics into `name{labels}` -> value. Unlabelled names are keyed by
 * their bare name. Only what the soak prints is needed, so histograms are read as their raw lines.
 */
export function parseMetrics(text: string): Scrape {
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** The sum of every series of `name` (all label sets), 0 when none exists yet. */
export function sumOf(scrape: Scrape, name: string): number {
  let total = 0;
  for (const [key, value] of scrape) if (key === name || key.startsWith(`${name}{`)) total += value;
  return total;
}

/** `name{labels}` -> value for every label set of `name` that is not 0, e.g. `series=3 inflight_bytes=1`. */
export function byLabel(scrape: Scrape, name: string, label: string): string {
  const parts: string[] = [];
  const re = new RegExp(`${label}="([^"]*)"`);
  for (const [key, value] of scrape) {
    if (!key.startsWith(`${name}{`) || value === 0) continue;
    parts.push(`${re.exec(key)?.[1] ?? '?'}=${value}`);
  }
  return parts.join(',') || '0';
}

export const mb = (bytes: number | null): string => (bytes === null ? 'gone' : `${(bytes / 1e6).toFixed(0)}MB`);
export const ms = (v: number): string =>
  Number.isNaN(v) ? '-' : v >= 1000 ? `${(v / 1000).toFixed(1)}s` : `${v.toFixed(0)}ms`;

/** `10m`, `90s`, `1h` -> ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(text);
  if (!match) throw new Error(`expected a duration like 10m, 90s or 1h (got ${JSON.stringify(text)})`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}

/** The status of a request whose body is read and dropped; 0 when it failed or timed out (30 s unless init has its own signal). */
export async function statusOf(url: string, init: RequestInit = {}): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000), ...init });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
