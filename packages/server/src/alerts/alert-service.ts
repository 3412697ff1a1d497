import { randomUUID } from 'node:crypto';
import type { Alert, AlertState, Rule, Silence, SilenceInput } from '@pulseboard/shared';
import { parseDuration } from '@pulseboard/shared';
import type { Bus } from '../bus/bus.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { type AlertChange, AlertEvaluator, type SignalSource } from './evaluator.ts';
import { type NotifyDeps, notifyChanges } from './notify.ts';
import type { RuleSet } from './rule-set.ts';
import { isSilenced } from './silences.ts';

export interface AlertServiceOptions {
  store: AlertStore;
  rules: RuleSet;
  source: SignalSource;
  bus: Bus;
  notify: NotifyDeps;
  now: () => number;
  newId?: () => string;
  /** Silences not yet ended, at most. */
  maxSilences: number;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1, info: 2 };
const MAX_SILENCE_MS = 365 * 86_400_000;

/**
 * The alerting runtime behind the plugin and its routes: evaluates, records, broadcasts and notifies
 * state changes, and answers the API's questions with silences applied.
 */
export class AlertService {
  private evaluator: AlertEvaluator;
  private readonly newId: () => string;
  /**
   * Silences not yet ended, kept here once read: reading and parsing them all from the store for every new
   * silence and every alert read made each new silence cost ~94 ms of main thread at 12,700 silences.
   */
  private silenceCache: Silence[] | null = null;

  constructor(private readonly options: AlertServiceOptions) {
    this.newId = options.newId ?? randomUUID;
    this.evaluator = this.evaluatorFromStore();
  }

  /**
   * Takes evaluation up again from the stored open episodes, as after a restart: in a cluster, when this
   * instance gets the alert lease, since the previous holder may have opened or closed episodes meanwhile.
   */
  resumeFromStore(): void {
    this.evaluator = this.evaluatorFromStore();
  }

  private evaluatorFromStore(): AlertEvaluator {
    return new AlertEvaluator({
      source: this.options.source,
      newId: this.newId,
      open: this.options.store.openAlerts(),
    });
  }

  get rules(): RuleSet {
    return this.options.rules;
  }

  /** One evaluation at `now` (the end of the second that just closed); returns what changed. */
  evaluate(now: number): AlertChange[] {
    const { store, bus } = this.options;
    const changes = this.evaluator.evaluate(this.options.rules.all(), now);
    if (changes.length === 0) return changes;
    const silences = this.activeSilences(now);
    for (const change of changes) {
      change.alert.silenced = isSilenced(silences, change.alert, now);
      // A pending episode that never fired leaves no history; the live message tells the page it is gone.
      if (change.transition === 'cancelled') store.deleteAlert(change.alert.id);
      else store.saveAlert(change.alert);
      bus.publish('alert', store.getAlert(change.alert.id) ?? change.alert);
    }
    notifyChanges(changes, this.options.notify);
    return changes;
  }

  alerts(states: readonly AlertState[], resolvedLimit: number): Alert[] {
    const now = this.options.now();
    const silences = this.activeSilences(now);
    const list = this.options.store.alerts({ states, resolvedLimit });
    for (const alert of list) alert.silenced = alert.state !== 'resolved' && isSilenced(silences, alert, now);
    // Firing first, by severity, newest first; then pending; then resolved, most recent first.
    const rank = (a: Alert) => (a.state === 'firing' ? 0 : a.state === 'pending' ? 1 : 2);
    return list.sort(
      (a, b) =>
        rank(a) - rank(b) ||
        (a.state === 'resolved'
          ? (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0)
          : SEVERITY_RANK[a.severity]! - SEVERITY_RANK[b.severity]! || b.startedAt - a.startedAt),
    );
  }

  alert(id: string): Alert {
    const alert = this.options.store.getAlert(id);
    if (!alert) throw notFound(`id: no alert ${id}`);
    const now = this.options.now();
    alert.silenced = alert.state !== 'resolved' && isSilenced(this.activeSilences(now), alert, now);
    return alert;
  }

  acknowledge(id: string, by: string): Alert {
    const alert = this.alert(id);
    if (alert.state === 'resolved') throw badRequest(`id: alert ${id} is already resolved`);
    const acked = this.options.store.acknowledge(id, by, this.options.now());
    if (!acked) throw notFound(`id: no alert ${id}`);
    acked.silenced = alert.silenced;
    this.options.bus.publish('alert', acked);
    return acked;
  }

  /** Rules with how many alerts each has open, for a rules page. */
  rulesWithState(): Rule[] {
    const counts = new Map<string, { pending: number; firing: number }>();
    for (const { ruleId, episode } of this.evaluator.openEpisodes()) {
      const c = counts.get(ruleId) ?? { pending: 0, firing: 0 };
      c[episode.state]++;
      counts.set(ruleId, c);
    }
    return this.options.rules.all().map((r) => ({ ...r, alerts: counts.get(r.id) ?? { pending: 0, firing: 0 } }));
  }

  silences(): Silence[] {
    return [...this.activeSilences(this.options.now())];
  }

  private activeSilences(now: number): readonly Silence[] {
    const list = this.silenceCache ?? this.options.store.activeSilences(now);
    this.silenceCache = list.some((s) => s.endsAt <= now) ? list.filter((s) => s.endsAt > now) : list;
    return this.silenceCache;
  }

  addSilence(input: SilenceInput): Silence {
    if (input.ruleId === undefined && input.service === undefined) {
      throw badRequest('ruleId: give ruleId, service, or both');
    }
    if (input.ruleId !== undefined) this.options.rules.get(input.ruleId);
    const ms = parseDuration(input.duration);
    if (ms === null || ms <= 0 || ms > MAX_SILENCE_MS) throw badRequest('duration: must be from 1s to 365d');
    const now = this.options.now();
    const active = this.activeSilences(now);
    if (active.length >= this.options.maxSilences) {
      throw new AppError(
        'PULSE_ERR_LIMIT_REACHED',
        `silences: ${active.length} silences are active, the limit (--max-silences ${this.options.maxSilences}); delete one or widen one instead`,
      );
    }
    const silence: Silence = {
      id: this.newId(),
      ...(input.ruleId !== undefined ? { ruleId: input.ruleId } : {}),
      ...(input.service !== undefined ? { service: input.service } : {}),
      startsAt: now,
      endsAt: now + ms,
      ...(input.comment !== undefined ? { comment: input.comment } : {}),
      ...(input.createdBy !== undefined ? { createdBy: input.createdBy } : {}),
    };
    this.options.store.insertSilence(silence);
    this.silenceCache = [...active, silence];
    this.republishOpen();
    return silence;
  }

  removeSilence(id: string): void {
    if (!this.options.store.deleteSilence(id)) throw notFound(`id: no silence ${id}`);
    this.silenceCache = this.silenceCache?.filter((s) => s.id !== id) ?? null;
    this.republishOpen();
  }

  /** Open alerts went (un)silenced: the pages showing them hear it at once. */
  private republishOpen(): void {
    for (const alert of this.alerts(['pending', 'firing'], 0)) this.options.bus.publish('alert', alert);
  }
}
