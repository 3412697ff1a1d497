import type { AbsentCondition } from '@pulseboard/shared';
import { formatDuration } from '../format.ts';
import type { Detector } from './types.ts';

/** No data at all over the window, from a service that has reported before. */
export const absentDetector: Detector<AbsentCondition> = {
  needsHistory: false,
  // The value is the signal's (shown in its unit, as for every rule): a count of observations read as "req/s".
  // The count is over the window read, which for a service that reports every N s begins N s earlier.
  evaluate({ current, seen }) {
    return { breach: seen && current.count === 0, value: current.value, ready: true };
  },
  explain(_condition, { windowMs, heldMs, resolved }) {
    if (resolved) return 'data is arriving again';
    // The window had already passed without data when the episode started.
    return `no data for ${formatDuration(windowMs + heldMs)}`;
  },
};
