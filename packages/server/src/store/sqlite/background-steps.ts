/**
 * Runs `step` once per turn of the event loop while it returns true, so work done in parts (held rows written
 * a slice at a time, a move out of staging a range of series at a time) lets requests, acknowledgements and
 * live frames run between its parts. `kick` starts it; calling it while it runs changes nothing.
 */
export function backgroundSteps(step: () => boolean) {
  let scheduled: NodeJS.Immediate | null = null;
  let stopped = false;
  const run = () => {
    scheduled = null;
    if (!stopped && step()) kick();
  };
  const kick = (): void => {
    // Not unref'd: a read may be waiting for the steps. The chain ends by itself once there is nothing to do.
    if (!scheduled && !stopped) scheduled = setImmediate(run);
  };
  return {
    kick,
    stop(): void {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
    },
  };
}
