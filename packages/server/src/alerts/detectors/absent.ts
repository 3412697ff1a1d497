import type { AbsentCondition } from '@pulseboard/shared';
import { formatDuration } from '../format.ts';
import type { Detector } from './types.ts';

/** No data at all over the window, from a service that has reported before. */
export const absentDetector: Detector<AbsentCondition> = {
  needsHistory: false,
  evaluate({ current, seen }) {
    return { breach: seen && current.count === 0, value: current.count, ready: true };
  },
  explain(_condition, { windowMs, heldMs, resolved, verdict }) {
    if (resolved) return `data is arriving again (${verdict.value ?? 0} observations over ${formatDuration(windowMs)})`;
    // The window had already passed without data when the episode started.
    return `no data for ${formatDuration(windowMs + heldMs)}`;
  },
};
