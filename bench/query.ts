/**
 * Times the dashboard's heaviest common read: p50/p95/p99 per service per minute over the hour just
 * ingested (`/api/v1/red`, 60 points, all services). The timer wraps the whole HTTP exchange including
 * reading the body, since that is what a browser waits for. The median of several runs after a warm-up
 * keeps one GC pause or a cold page cache from deciding the figure.
 */

export interface RedPoint {
  t: number;
  rate: number;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  count: number;
}
export interface RedResponse {
  from: number;
  to: number;
  step: number;
  series: { service: string; route?: string | null; points: RedPoint[] }[];
}

export interface QueryCheck {
  ok: boolean;
  step: number;
  series: number;
  pointsPerSeries: number[];
  count: number;
  expectedCount: number;
  problems: string[];
}

export interface QueryResult {
  url: string;
  from: number;
  to: number;
  warmupMs: number;
  runsMs: number[];
  medianMs: number;
  responseBytes: number;
  check: QueryCheck;
  /** The last response, for the accuracy check. */
  response: RedResponse;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * A 60-minute, minute-aligned window that ends just after the last observation, so the server's
 * step works out to exactly one minute (the 1-minute tier) and nearly all the data is inside it.
 */
export function hourWindow(lastTs: number): { from: number; to: number } {
  const to = Math.floor(lastTs / MINUTE) * MINUTE + MINUTE;
  return { from: to - HOUR, to };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timedGet(url: string): Promise<{ ms: number; status: number; text: string }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const text = await res.text();
  return { ms: performance.now() - t0, status: res.status, text };
}

function check(body: RedResponse, services: number, expectedCount: number): QueryCheck {
  const problems: string[] = [];
  const count = body.series.reduce((sum, s) => sum + s.points.reduce((a, p) => a + (p.count ?? 0), 0), 0);
  if (body.step !== MINUTE) problems.push(`step ${body.step}, expected ${MINUTE}`);
  if (body.series.length !== services) problems.push(`${body.series.length} series, expected ${services}`);
  if (count !== expectedCount) problems.push(`total count ${count}, expected ${expectedCount}`);
  const nullP99 = body.series.reduce((a, s) => a + s.points.filter((p) => p.count > 0 && p.p99 === null).length, 0);
  if (nullP99 > 0) problems.push(`${nullP99} non-empty points without p99`);
  return {
    ok: problems.length === 0,
    step: body.step,
    series: body.series.length,
    pointsPerSeries: body.series.map((s) => s.points.length),
    count,
    expectedCount,
    problems,
  };
}

export async function runQuery(
  baseUrl: string,
  window: { from: number; to: number },
  expected: { services: number; count: number },
  runs = 5,
): Promise<QueryResult> {
  const url = `${baseUrl}/api/v1/red?from=${window.from}&to=${window.to}&maxPoints=60`;
  const warm = await timedGet(url);
  if (warm.status !== 200) throw new Error(`GET ${url}: HTTP ${warm.status}: ${warm.text.slice(0, 500)}`);
  const runsMs: number[] = [];
  let last = warm;
  for (let i = 0; i < runs; i++) {
    last = await timedGet(url);
    if (last.status !== 200) throw new Error(`GET ${url}: HTTP ${last.status}: ${last.text.slice(0, 500)}`);
    runsMs.push(last.ms);
  }
  const response = JSON.parse(last.text) as RedResponse;
  const result = check(response, expected.services, expected.count);
  if (!result.ok) {
    // Tell "not rolled up yet" from "wrong": ask once more after a pause (untimed) and say which it was.
    await new Promise((r) => setTimeout(r, 2_000));
    const again = await timedGet(url);
    const later =
      again.status === 200 ? check(JSON.parse(again.text) as RedResponse, expected.services, expected.count) : null;
    result.problems.push(
      later?.ok
        ? 'correct 2 s later (answer lags ingest acks)'
        : `2 s later: ${later ? later.problems.join('; ') : `HTTP ${again.status}`}`,
    );
  }
  return {
    url,
    from: window.from,
    to: window.to,
    warmupMs: warm.ms,
    runsMs,
    medianMs: median(runsMs),
    responseBytes: Buffer.byteLength(last.text),
    check: result,
    response,
  };
}

/** The server's count of 1 min / 1 h buckets waiting to be rebuilt (NaN when it does not say). */
export async function rebuildBacklog(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^pulseboard_rebuild_backlog (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Polls the server's rebuild backlog until only `openBuckets` are left (default: the open minute and
 * hour, which cannot be rebuilt before they close; at most 60 s); returns how long that took. An hour of data arrives in seconds, so this lets the server finish the
 * minute and hour buckets it would have rebuilt while the hour passed, and a query reads the tiers a
 * dashboard would.
 */
export async function waitForRebuilds(baseUrl: string, openBuckets = 2): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < 60_000) {
    if ((await rebuildBacklog(baseUrl)) <= openBuckets) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return performance.now() - started;
}
