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
 * before its promise resolves, so a restart finds firing alerts firing and does not notify them again.
 */
export interface AlertStore {
  listRules(): Promise<StoredRule[]>;
  insertRule(rule: StoredRule): Promise<void>;
  /** False when there is no such rule. */
  updateRule(id: string, body: RuleBody, updatedAt: number): Promise<boolean>;
  deleteRule(id: string): Promise<boolean>;

  /** Inserts or replaces an episode; an acknowledgement already recorded is kept. */
  saveAlert(alert: Alert): Promise<void>;
  deleteAlert(id: string): Promise<void>;
  getAlert(id: string): Promise<Alert | null>;
  /** Pending and firing alerts. */
  openAlerts(): Promise<Alert[]>;
  /** Pending and firing alerts of a rule, of a service, or both (what a silence naming them selects). */
  openSelected(selector: { ruleId?: string; service?: string }): Promise<Alert[]>;
  alerts(query: AlertQuery): Promise<Alert[]>;
  /** Null when there is no such alert. */
  acknowledge(id: string, by: string, at: number): Promise<Alert | null>;
  /** Deletes resolved alerts resolved before `before`; returns how many. */
  pruneResolved(before: number): Promise<number>;

  insertSilence(silence: Silence): Promise<void>;
  deleteSilence(id: string): Promise<boolean>;
  /** Silences that have not ended by `now`. */
  activeSilences(now: number): Promise<Silence[]>;
  /** Deletes silences that ended before `before`. */
  pruneSilences(before: number): Promise<number>;
}
