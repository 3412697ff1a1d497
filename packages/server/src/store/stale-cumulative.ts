import { AppError } from '../errors.ts';
import type { CumulativeState } from './store.ts';

/**
 * A commit carried cumulative state taken against a state that is no longer the stored one: another instance
 * sharing the store committed that series' points since (exports of one series reached two instances). The
 * commit wrote nothing; the sender retries (503), and the worker that diffs the series reloads `current`
 * first, so the retry is diffed against the stored state and nothing counts twice.
 */
export class StaleCumulativeError extends AppError {
  constructor(
    /** The stored state of the series found moved on. */
    readonly current: CumulativeState[],
    /** Series whose stored state is gone (deleted since). */
    readonly missing: string[],
  ) {
    super(
      'PULSE_ERR_OVERLOADED',
      `another instance stored newer points of ${current.length + missing.length} cumulative series of this export; retry`,
      { 'retry-after': '1' },
    );
  }
}
