import { randomUUID } from 'node:crypto';
import type { Alert, AlertState, Rule, Silence, SilenceInput } from '@pulseboard/shared';
import { parseDuration } from '@pulseboard/shared';
import type { Bus } from '../bus/bus.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { type AlertChange, AlertEvaluator, type SignalSource } from './evaluator.ts';
import { type NotifyDeps, notifyChanges } from './notify.ts';
import type { RuleSet } from './rule-set.ts';
import { Serial } from './serial.ts';
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
 * state changes, and answers the API's questions with silences applied. Evaluations must not overlap (the
 * plugin awaits each); silence changes run one at a time.
 */
export class AlertService {
  private evaluator: AlertEvaluator;
  private readonly newId: () => string;
  /**
   * Silences not yet ended, kept here once read: reading and parsing them all from the store for every new
   * silence and every alert read made each new silence cost ~94 ms of main thread at 12,700 silences.
   */
  private silenceCache: Silence[] | null = null;
  /** Bumped by every silence change, so a read of the silences that was out meanwhile is not kept as the cache. */
  private silenceVersion = 0;
  private readonly silenceWrites = new Serial();
  /**
   * Changes judged but not (all) recorded: a store write failed. The evaluator has moved on, so they are
   * recorded, published and notified before the next evaluation's, or the alert would be firing unrecorded.
   */
  private unsaved: AlertChange[] = [];

  private constructor(
    private readonly options: AlertServiceOptions,
    open: readonly Alert[],
  ) {
    this.newId = options.newId ?? randomUUID;
    this.evaluator = this.evaluatorOf(open);
  }

  /** The service, taking evaluation up from the stored open episodes. */
  static async open(options: AlertServiceOptions): Promise<AlertService> {
    return new AlertService(options, await options.store.openAlerts());
  }

  /**
   * Takes evaluation up again from the stored open episodes, as after a restart: in a cluster, when this
   * instance gets the alert lease, since the previous holder may have opened or closed episodes meanwhile.
   */
  async resumeFromStore(): Promise<void> {
    this.evaluator = this.evaluatorOf(await this.options.store.openAlerts());
    // The episodes are as the store has them now: changes this instance judged before are moot.
    this.unsaved = [];
  }

  private evaluatorOf(open: readonly Alert[]): AlertEvaluator {
    return new AlertEvaluator({ source: this.options.source, newId: this.newId, open });
  }

  get rules(): RuleSet {
    return this.options.rules;
  }

  /** One evaluation at `now` (the end of the second that just closed); returns what changed. */
  async evaluate(now: number): Promise<AlertChange[]> {
    const { store, bus } = this.options;
    const judged = await this.evaluator.evaluate(this.options.rules.all(), now);
    // The unsaved first: a later change of the same alert is saved after them.
    const changes = [...this.unsaved.splice(0), ...judged];
    if (changes.length > 0) {
      try {
        const silences = await this.activeSilences(now);
        for (const change of changes) {
          change.alert.silenced = isSilenced(silences, change.alert, now);
          // A pending episode that never fired leaves no history; the live message tells the page it is gone.
          if (change.transition === 'cancelled') await store.deleteAlert(change.alert.id);
          else await store.saveAlert(change.alert);
          // Read back, so the message carries an acknowledgement the save kept.
          bus.publish('alert', (await store.getAlert(change.alert.id)) ?? change.alert);
        }
      } catch (error) {
        // Saved again (a save is an upsert by id, a delete idempotent) and notified once, next time.
        this.unsaved = changes;
        throw error;
      }
      notifyChanges(changes, this.options.notify);
    }
    // Reported once the others' changes are recorded (as it was thrown: the plugin tells a full disk apart).
    const [failed] = this.evaluator.failures;
    if (failed) throw failed.error;
    return changes;
  }

  async alerts(states: readonly AlertState[], resolvedLimit: number): Promise<Alert[]> {
    const now = this.options.now();
    const silences = await this.activeSilences(now);
    const list = await this.options.store.alerts({ states, resolvedLimit });
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

  async alert(id: string): Promise<Alert> {
    const alert = await this.options.store.getAlert(id);
    if (!alert) throw notFound(`id: no alert ${id}`);
    const now = this.options.now();
    alert.silenced = alert.state !== 'resolved' && isSilenced(await this.activeSilences(now), alert, now);
    return alert;
  }

  async acknowledge(id: string, by: string): Promise<Alert> {
    const alert = await this.alert(id);
    if (alert.state === 'resolved') throw badRequest(`id: alert ${id} is already resolved`);
    const acked = await this.options.store.acknowledge(id, by, this.options.now());
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

  async silences(): Promise<Silence[]> {
    return [...(await this.activeSilences(this.options.now()))];
  }

  private async activeSilences(now: number): Promise<readonly Silence[]> {
    let list = this.silenceCache;
    if (!list) {
      const version = this.silenceVersion;
      list = await this.options.store.activeSilences(now);
      // A silence added or deleted while this read was out may be missing from it or still in it: the
      // answer may use it (it raced the change), the cache may not.
      if (version !== this.silenceVersion) return list;
    }
    this.silenceCache = list.some((s) => s.endsAt <= now) ? list.filter((s) => s.endsAt > now) : list;
    return this.silenceCache;
  }

  addSilence(input: SilenceInput): Promise<Silence> {
    return this.silenceWrites.run(() => this.insertSilence(input));
  }

  removeSilence(id: string): Promise<void> {
    return this.silenceWrites.run(async () => {
      const removed = (await this.activeSilences(this.options.now())).find((s) => s.id === id);
      if (!(await this.options.store.deleteSilence(id))) throw notFound(`id: no silence ${id}`);
      this.silenceVersion++;
      this.silenceCache = this.silenceCache?.filter((s) => s.id !== id) ?? null;
      // Not among the active ones read before the delete (it had ended, or was added meanwhile): every open
      // alert is republished, as it may have covered any.
      await this.republishCovered(removed ?? {});
    });
  }

  private async insertSilence(input: SilenceInput): Promise<Silence> {
    if (input.ruleId === undefined && input.service === undefined) {
      throw badRequest('ruleId: give ruleId, service, or both');
    }
    if (input.ruleId !== undefined) this.options.rules.get(input.ruleId);
    const ms = parseDuration(input.duration);
    if (ms === null || ms <= 0 || ms > MAX_SILENCE_MS) throw badRequest('duration: must be from 1s to 365d');
    const now = this.options.now();
    const active = await this.activeSilences(now);
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
    await this.options.store.insertSilence(silence);
    this.silenceVersion++;
    // A read of the silences that finished during the insert may hold it already.
    this.silenceCache = this.silenceCache && [...this.silenceCache.filter((s) => s.id !== silence.id), silence];
    await this.republishCovered(silence);
    return silence;
  }

  /**
   * The open alerts a silence added or removed covers may have gone (un)silenced: the pages showing them hear it
   * at once. Only those: republishing every open alert for each silence (each read, parsed and checked against
   * every silence) took ~10 ms of main thread a silence with 800 open alerts, throughout a script adding many.
   */
  private async republishCovered(silence: Pick<Silence, 'ruleId' | 'service'>): Promise<void> {
    const now = this.options.now();
    const covered = await this.options.store.openSelected(silence);
    if (covered.length === 0) return;
    const silences = await this.activeSilences(now);
    for (const alert of covered) {
      alert.silenced = isSilenced(silences, alert, now);
      this.options.bus.publish('alert', alert);
    }
  }
}
