import { type AnomalyCondition, MINUTE } from '@pulseboard/shared';
import { formatDuration } from '../format.ts';
import { robustBaseline } from './baseline.ts';
import type { Detector } from './types.ts';

/** The baseline starts judging once this much history exists (the contract's 10 minutes). */
export const MIN_HISTORY_MS = 10 * MINUTE;
/** An active anomaly lets go only once the signal is back within this share of the sensitivity. */
const RELEASE_SHARE = 0.75;

/**
 * The signal against a baseline learned from its own recent past (and the same time a day earlier when
 * the store has it): anomalous when more than `sensitivity` robust standard deviations away, in the
 * rule's direction.
 */
export const anomalyDetector: Detector<AnomalyCondition> = {
  needsHistory: true,
  evaluate({ condition, current, history, active }) {
    const value = current.value;
    const sensitivity = active ? condition.sensitivity * RELEASE_SHARE : condition.sensitivity;
    const band = history && history.coveredMs >= MIN_HISTORY_MS ? robustBaseline(history.values, sensitivity) : null;
    if (!band) return { breach: false, value, ready: false };
    if (value === null) return { breach: false, value, baseline: band, ready: true };
    const sigmas = (value - band.center) / band.spread;
    const direction = condition.direction ?? 'both';
    const up = direction !== 'down' && value > band.high;
    const down = direction !== 'up' && value < band.low;
    // The band reported is the tripping one, whatever band decided this evaluation.
    const shown = active ? robustBaseline(history!.values, condition.sensitivity)! : band;
    return { breach: up || down, value, baseline: shown, sigmas, ready: true };
  },
  explain(_condition, { verdict, signal, windowMs, heldMs, resolved }) {
    const f = signal.format;
    const { value, baseline, sigmas } = verdict;
    if (!baseline) return `${signal.label}: baseline still learning (needs 10m of history)`;
    const around = `its baseline of ${f(baseline.center)} (+/- ${f(baseline.spread)})`;
    if (value === null || sigmas === undefined) return `${signal.label} has no data over ${formatDuration(windowMs)}`;
    if (resolved) return `${signal.label} ${f(value)} is back within ${around}`;
    const side = sigmas >= 0 ? 'above' : 'below';
    const held = heldMs >= 1000 ? `for ${formatDuration(heldMs)}` : `over ${formatDuration(windowMs)}`;
    return `${signal.label} ${f(value)} is ${Math.abs(sigmas).toFixed(1)} sigma ${side} ${around} ${held}`;
  },
};
