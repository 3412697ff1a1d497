/**
 * Calls `onSecond(t)` just after each wall-clock second closes, with t the start of that second. Timers
 * re-align to the clock every tick, so drift never accumulates.
 */
export function startSecondTicker(options: {
  now: () => number;
  graceMs: number;
  onSecond: (t: number) => void;
}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let last = Math.floor(options.now() / 1000) * 1000 - 1000;
  const schedule = () => {
    const now = options.now();
    const next = Math.floor(now / 1000) * 1000 + 1000 + options.graceMs;
    timer = setTimeout(tick, next - now);
  };
  const tick = () => {
    const closed = Math.floor((options.now() - options.graceMs) / 1000) * 1000 - 1000;
    // After a stall (a long GC or a suspended laptop) publish every second that closed, oldest first.
    for (let t = Math.max(last + 1000, closed - 10_000); t <= closed; t += 1000) options.onSecond(t);
    last = Math.max(last, closed);
    schedule();
  };
  schedule();
  return () => clearTimeout(timer);
}
