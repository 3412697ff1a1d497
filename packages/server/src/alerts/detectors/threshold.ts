import type { ThresholdCondition } from '@pulseboard/shared';
import { formatDuration } from '../format.ts';
import type { Detector } from './types.ts';

/**
 * Static threshold with hysteresis: an inactive alert trips past `value`; an active one holds until the
 * signal is back past `recovery`, so a signal hovering at the threshold does not flap.
 */
export const thresholdDetector: Detector<ThresholdCondition> = {
  needsHistory: false,
  evaluate({ condition, current, active }) {
    const recovery = condition.recovery ?? condition.value;
    const limit = active ? recovery : condition.value;
    const value = current.value;
    const breach = value !== null && (condition.op === '>' ? value > limit : value < limit);
    return { breach, value, threshold: condition.value, recovery, ready: true };
  },
  explain(condition, { verdict, signal, windowMs, heldMs, resolved }) {
    const { value } = verdict;
    const f = signal.format;
    const over = `over ${formatDuration(windowMs)}`;
    if (value === null) return `${signal.label} has no data ${over}`;
    const above = condition.op === '>';
    const recovery = condition.recovery ?? condition.value;
    if (resolved) return `${signal.label} ${f(value)} is back ${above ? 'below' : 'above'} ${f(recovery)} ${over}`;
    const hysteresis = recovery !== condition.value ? ` (resolves ${above ? 'below' : 'above'} ${f(recovery)})` : '';
    const held = heldMs >= 1000 ? ` for ${formatDuration(heldMs)}` : '';
    return `${signal.label} ${f(value)} is ${above ? 'above' : 'below'} ${f(condition.value)}${hysteresis} ${over}${held}`;
  },
};
