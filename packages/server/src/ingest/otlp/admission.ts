import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SeriesOrigin, SeriesRegistry } from '../../aggregate/series-registry.ts';
import { AppError, LimitError, type LimitName } from '../../errors.ts';
import type { SeriesIdentity } from '../../model.ts';
import { refusalKey } from './off-thread.ts';

/** Registry refusals that concern one series, so only that series' points (or spans) are refused. */
export const SERIES_REFUSALS: Partial<Record<string, string>> = {
  PULSE_ERR_CARDINALITY: 'over their service\u2019s series limit (--max-series-per-service)',
  PULSE_ERR_TYPE_CONFLICT: 'whose metric name already has another type',
  PULSE_ERR_SERIES_TOO_LARGE: 'whose series identity (attribute names and values) is over --max-series-bytes',
  PULSE_ERR_NUL_CHARACTER: 'whose name, unit or attributes hold a NUL character',
  PULSE_ERR_INVALID_TEXT: 'whose name, unit or attributes are not Unicode text, or whose names hold control characters',
};
/** The global limits, which also answer PULSE_ERR_CARDINALITY, by the limit that refused. */
const LIMIT_REFUSALS: Partial<Record<LimitName, string>> = {
  series: 'over the server\u2019s limit of series in all (--max-series)',
  services: 'of a new service over the limit of services (--max-services)',
};

export function isSeriesRefusal(error: unknown): error is AppError {
  return error instanceof AppError && SERIES_REFUSALS[error.code] !== undefined;
}

/**
 * Series sorted per turn of the event loop (~4 us each): an export of 60,000 new series past a limit held
 * every other request ~250 ms when sorted in one go.
 */
const ENTRIES_PER_TURN = 1_000;

/**
 * The entries whose series the registry accepts, in order, each on top of those before it (so a batch of
 * new series stops exactly at the limit); `refused` hears of each other one with the reason. A dry run
 * (`SeriesRegistry.trial`): the registry is left as it was. Other requests run between slices of the
 * entries and may register series meanwhile, so the answer is advice: the commit that follows checks again.
 */
export async function admitEntries<E extends { samples: SeriesOrigin }>(
  registry: SeriesRegistry,
  entries: readonly E[],
  refused: (entry: E, reason: string) => void,
  onLimit?: (error: LimitError) => void,
): Promise<E[]> {
  const trial = registry.trial();
  const admitted: E[] = [];
  for (const [i, entry] of entries.entries()) {
    if (i > 0 && i % ENTRIES_PER_TURN === 0) await nextTurn();
    const outcome = trial.admit(entry.samples);
    if (!(outcome instanceof AppError)) {
      admitted.push(entry);
      continue;
    }
    if (!isSeriesRefusal(outcome)) throw outcome;
    if (outcome instanceof LimitError) onLimit?.(outcome);
    refused(entry, (outcome instanceof LimitError && LIMIT_REFUSALS[outcome.limit]) || SERIES_REFUSALS[outcome.code]!);
  }
  return admitted;
}

/**
 * The series of a worker-folded export (its identities) that the registry refuses, by `refusalKey`, with the
 * reason: the worker converts the export again without them.
 */
export async function refusalsOf(
  registry: SeriesRegistry,
  identities: readonly SeriesIdentity[],
  onLimit?: (error: LimitError) => void,
): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  const entries = identities.map((identity) => ({ samples: { identity } }));
  await admitEntries(
    registry,
    entries,
    (entry, reason) => refused.set(refusalKey(entry.samples.identity), reason),
    onLimit,
  );
  return refused;
}

/**
 * The refusals of the tries so far with `more`, or null when `more` names no new series: trying the export
 * again would fail the same way (the worker did not leave those series out), so the caller gives up.
 */
export function grownRefusals(
  refused: ReadonlyMap<string, string> | undefined,
  more: ReadonlyMap<string, string>,
): Map<string, string> | null {
  const all = new Map([...(refused ?? []), ...more]);
  return all.size > (refused?.size ?? 0) ? all : null;
}
