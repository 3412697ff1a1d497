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
  /** The second the pending timer is for: the one that closes at the boundary it was aimed after. */
  let due = last;
  const schedule = () => {
    const now = options.now();
    const boundary = Math.floor(now / 1000) * 1000 + 1000;
    due = boundary - 1000;
    timer = setTimeout(tick, boundary + options.graceMs - now);
  };
  const tick = () => {
    // A timer may fire a millisecond before `now()` reaches its target (libuv's loop clock is monotonic and
    // truncated to ms; `now()` is the wall clock). Reading the closed second from `now()` alone then missed
    // the second the timer was for, and its frame went out a second late with the next one (1 in ~15
    // seconds in the soak bench, issue 11), so the second it was aimed at counts as closed.
    const closed = Math.max(due, Math.floor((options.now() - options.graceMs) / 1000) * 1000 - 1000);
    // After a stall (a long GC or a suspended laptop) publish every second that closed, oldest first.
    for (let t = Math.max(last + 1000, closed - 10_000); t <= closed; t += 1000) options.onSecond(t);
    last = Math.max(last, closed);
    schedule();
  };
  schedule();
  return () => clearTimeout(timer);
}
