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
