import type { Condition, ConditionType, SignalFormat } from '@pulseboard/shared';

/** The rule's signal over its window, ending at the evaluation time. */
export interface SignalWindow {
  /** Null when the window held nothing the signal can be computed from (no requests for a p99). */
  value: number | null;
  /** Observations behind the value: requests for RED signals, samples for a metric. */
  count: number;
}

/** Earlier values of the same signal over windows of the same length: what "normal" is learned from. */
export interface SignalHistory {
  values: readonly number[];
  /** How much time the values cover; the anomaly detector waits for 10 minutes of it. */
  coveredMs: number;
}

export interface DetectorInput<C extends Condition = Condition> {
  condition: C;
  current: SignalWindow;
  /** Present only for detectors that ask for it (`needsHistory`). */
  history: SignalHistory | null;
  /** The alert is firing: thresholds use `recovery` and anomalies a narrower band to let go. */
  active: boolean;
  /** The service has reported before (absent only fires for something that used to send). */
  seen: boolean;
}

export interface BaselineBand {
  center: number;
  /** One robust standard deviation. */
  spread: number;
  low: number;
  high: number;
}

/** What a detector concluded, with the numbers the reason and the alert show. */
export interface Verdict {
  breach: boolean;
  value: number | null;
  threshold?: number;
  recovery?: number;
  baseline?: BaselineBand;
  /** Anomalies: how many spreads the value sits from the centre (signed). */
  sigmas?: number;
  /** False while a detector cannot judge yet (an anomaly baseline still learning). */
  ready: boolean;
}

export interface ExplainContext {
  verdict: Verdict;
  signal: SignalFormat;
  windowMs: number;
  /** How long the condition has held (since the episode started); 0 when it just started. */
  heldMs: number;
  resolved: boolean;
}

export interface Detector<C extends Condition = Condition> {
  /** Whether evaluation must read the signal's history (costly): only baselines need it. */
  needsHistory: boolean;
  evaluate(input: DetectorInput<C>): Verdict;
  explain(condition: C, context: ExplainContext): string;
}

export type DetectorRegistry = { [K in ConditionType]: Detector<Extract<Condition, { type: K }>> };
