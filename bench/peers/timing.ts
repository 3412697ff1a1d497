import { median } from '../query.ts';

/** Median time (ms) of `runs` calls after one untimed warm-up. */
export async function timed(runs: number, call: () => Promise<void>): Promise<number> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await call();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** The server's count of 1 min / 1 h buckets waiting to be rebuilt. */
export async function rebuildBacklog(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(/^pulseboard_rebuild_backlog (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/**
 * Waits until the server reports at most `left` 1 min / 1 h buckets left to rebuild (at most 3 minutes):
 * 1 where data reaches the open hour, whose bucket is rebuilt only once the hour is over.
 */
export async function rebuildsDone(baseUrl: string, left = 0): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if ((await rebuildBacklog(baseUrl)) <= left) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
