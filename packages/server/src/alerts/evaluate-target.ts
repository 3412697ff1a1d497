import { type Alert, parseDuration, type Rule, signalFormat } from '@pulseboard/shared';
import { detectorFor } from './detectors/registry.ts';
import type { SignalHistory, SignalWindow, Verdict } from './detectors/types.ts';
import { advance, type Episode, type Step } from './lifecycle.ts';

/** What one evaluation of one rule on one service needs besides the rule: all of it already read. */
export interface TargetInput {
  rule: Rule;
  service: string;
  current: SignalWindow;
  history: SignalHistory | null;
  seen: boolean;
  episode: Episode | null;
  now: number;
  newId: () => string;
}

export interface TargetResult {
  step: Step;
  verdict: Verdict;
  /** The alert as it stands after this evaluation (open or just closed), or null when inactive. */
  alert: Alert | null;
}

export const durationMs = (text: string): number => parseDuration(text) ?? 0;

/** Detector, then lifecycle, then the alert record with its reason: pure, so tests drive it directly. */
export function evaluateTarget(input: TargetInput): TargetResult {
  const { rule, episode, now } = input;
  const detector = detectorFor(rule.condition);
  const verdict = detector.evaluate({
    condition: rule.condition,
    current: input.current,
    history: input.history,
    // Hysteresis holds a firing alert; a pending one must meet the full condition for all of `for`.
    active: episode?.state === 'firing',
    seen: input.seen,
  });
  const step = advance(episode, verdict.breach, now, timingOf(rule), input.newId);
  const shown = step.episode ?? step.closed;
  if (!shown) return { step, verdict, alert: null };
  const resolved = step.episode === null;
  const reason = detector.explain(rule.condition, {
    verdict,
    signal: signalFormat(rule.signal),
    windowMs: durationMs(rule.window),
    heldMs: now - shown.startedAt,
    resolved,
  });
  return { step, verdict, alert: alertRecord(rule, input.service, shown, verdict, resolved ? now : null, reason) };
}

export function timingOf(rule: Rule) {
  return { forMs: durationMs(rule.for), keepFiringForMs: durationMs(rule.keepFiringFor) };
}

/** The API's view of an episode. `resolvedAt` set means closed (a cancelled pending one has no `firedAt`). */
export function alertRecord(
  rule: Rule,
  service: string,
  episode: Episode,
  verdict: Verdict | null,
  resolvedAt: number | null,
  reason: string,
): Alert {
  const alert: Alert = {
    id: episode.id,
    ruleId: rule.id,
    ruleName: rule.name,
    service,
    state: resolvedAt !== null ? 'resolved' : episode.state,
    severity: rule.severity,
    signal: rule.signal,
    value: verdict ? roundOrNull(verdict.value) : null,
    startedAt: episode.startedAt,
    reason,
    silenced: false,
  };
  if (episode.firedAt !== undefined) alert.firedAt = episode.firedAt;
  if (resolvedAt !== null) alert.resolvedAt = resolvedAt;
  if (verdict?.threshold !== undefined) alert.threshold = verdict.threshold;
  if (verdict?.recovery !== undefined) alert.recovery = verdict.recovery;
  if (verdict?.baseline) {
    alert.baseline = roundTo(verdict.baseline.center);
    alert.band = { low: roundTo(verdict.baseline.low), high: roundTo(verdict.baseline.high) };
  }
  return alert;
}

/** Six significant digits: enough for any signal, short in JSON. */
const roundTo = (value: number) => Number(value.toPrecision(6));
const roundOrNull = (value: number | null) => (value === null || !Number.isFinite(value) ? null : roundTo(value));
