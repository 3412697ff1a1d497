import type { Alert, AlertState, RuleBody, Silence } from '@pulseboard/shared';

/** A rule made over the API, as stored. File and default rules are never stored. */
export interface StoredRule {
  id: string;
  body: RuleBody;
  createdAt: number;
  updatedAt: number;
}

export interface AlertQuery {
  states: readonly AlertState[];
  /** At most this many resolved alerts, newest first; open ones are always all returned. */
  resolvedLimit: number;
}

/**
 * Alert rules, alert episodes (open and history), silences and acknowledgements. Every write commits
 * before it returns, so a restart finds firing alerts firing and does not notify them again.
 */
export interface AlertStore {
  listRules(): StoredRule[];
  insertRule(rule: StoredRule): void;
  /** False when there is no such rule. */
  updateRule(id: string, body: RuleBody, updatedAt: number): boolean;
  deleteRule(id: string): boolean;

  /** Inserts or replaces an episode; an acknowledgement already recorded is kept. */
  saveAlert(alert: Alert): void;
  deleteAlert(id: string): void;
  getAlert(id: string): Alert | null;
  /** Pending and firing alerts. */
  openAlerts(): Alert[];
  alerts(query: AlertQuery): Alert[];
  /** Null when there is no such alert. */
  acknowledge(id: string, by: string, at: number): Alert | null;
  /** Deletes resolved alerts resolved before `before`; returns how many. */
  pruneResolved(before: number): number;

  insertSilence(silence: Silence): void;
  deleteSilence(id: string): boolean;
  /** Silences that have not ended by `now`. */
  activeSilences(now: number): Silence[];
  /** Deletes silences that ended before `before`. */
  pruneSilences(before: number): number;
}
