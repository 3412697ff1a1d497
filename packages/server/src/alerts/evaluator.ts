import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Alert, Rule } from '@pulseboard/shared';
import { detectorFor } from './detectors/registry.ts';
import type { SignalHistory, SignalWindow } from './detectors/types.ts';
import { alertRecord, durationMs, evaluateTarget } from './evaluate-target.ts';
import type { Episode, Transition } from './lifecycle.ts';

/** Where signals come from: the store in the server (asynchronous, as its reads are), a simulation in the benchmark. */
export interface SignalSource {
  /**
   * The signal over [from, to), for a service that reports every N s: `reported`, over the same span ending
   * where its data is complete (a part of the window counted as the whole read low until each export, and a
   * traffic anomaly fired and never resolved); else up to `to`, begun N s + the delivery grace earlier (the
   * data since its last export is on its way: "no data for 60 s" fired before every late export).
   */
  window(service: string, signal: string, from: number, to: number, reported?: boolean): Promise<SignalWindow>;
  /** Earlier windows of the same length before `now`, for baselines. */
  history(service: string, signal: string, now: number, windowMs: number): Promise<SignalHistory>;
  /** Services a `*` rule covers at `now`. */
  activeServices(now: number): Promise<readonly string[]>;
  /** Whether the service has ever reported. */
  seen(service: string): Promise<boolean>;
}

export interface AlertChange {
  rule: Rule;
  transition: Transition;
  alert: Alert;
}

export interface EvaluatorOptions {
  source: SignalSource;
  newId: () => string;
  /** Open alerts from before a restart: they carry on where they were, without a new notification. */
  open?: readonly Alert[];
}

interface OpenTarget {
  rule: Rule;
  service: string;
  episode: Episode;
}

const MIN_EVERY_MS = 1000;
const MAX_EVERY_MS = 10_000;

/**
 * How often a rule needs evaluating: a twelfth of its window (a 1m window moves 5 s between looks), at
 * most once a second, and at least every 10 s so `for` and `keepFiringFor` stay accurate.
 */
export function evaluationInterval(rule: Rule): number {
  const every = Math.round(durationMs(rule.window) / 12 / 1000) * 1000;
  return Math.min(MAX_EVERY_MS, Math.max(MIN_EVERY_MS, every));
}

/**
 * Evaluates rules against a signal source and keeps the open episode of every rule and service. Each call
 * returns the state changes of that evaluation; storing, broadcasting and notifying them is the caller's.
 * One evaluation at a time: the caller awaits each before starting the next (they share the open episodes).
 */
/** A rule and service whose evaluation failed (a store error): its alert state was left as it was. */
export interface EvaluationFailure {
  rule: Rule;
  service: string | null;
  error: unknown;
}

export class AlertEvaluator {
  /** The last evaluation's failures; the other rules and services were judged all the same. */
  failures: EvaluationFailure[] = [];
  private readonly open = new Map<string, OpenTarget>();
  private readonly lastRun = new Map<string, { at: number; version: string }>();
  /** Episodes from before a restart, adopted at the first evaluation, once the rules are known. */
  private restored: { alert: Alert; episode: Episode }[] = [];
  /** The first evaluation's time: a window reaching back before it may cover time the server was down. */
  private startedAt: number | null = null;

  constructor(private readonly options: EvaluatorOptions) {
    for (const alert of options.open ?? []) {
      if (alert.state === 'resolved') continue;
      const episode: Episode = {
        id: alert.id,
        state: alert.state,
        startedAt: alert.startedAt,
        // The last breach before the restart is unknown; counting from the restart errs towards firing on.
        lastBreachAt: Number.POSITIVE_INFINITY,
        ...(alert.firedAt !== undefined ? { firedAt: alert.firedAt } : {}),
      };
      this.restored.push({ alert, episode });
    }
  }

  /** Open alerts now, as the evaluator last judged them. */
  openEpisodes(): { ruleId: string; service: string; episode: Episode }[] {
    return [...this.open.values()].map((o) => ({ ruleId: o.rule.id, service: o.service, episode: o.episode }));
  }

  async evaluate(rules: readonly Rule[], now: number): Promise<AlertChange[]> {
    const changes: AlertChange[] = [];
    this.failures = [];
    this.startedAt ??= now;
    const live = new Map(rules.filter((r) => r.enabled).map((r) => [r.id, r]));
    this.adoptRestored(live, now);
    this.closeOrphans(live, now, changes);
    let services: readonly string[] | null = null;
    const yielded = new Yielder();
    for (const rule of live.values()) {
      const version = JSON.stringify(rule);
      const last = this.lastRun.get(rule.id);
      // An edited rule is looked at straight away; otherwise only when its interval has passed.
      if (last && last.version === version && now - last.at < evaluationInterval(rule)) continue;
      // Until a whole window has passed since start, the window may hold the downtime before a restart
      // (no data, low traffic): judging it would page for every service after every restart.
      if (now - this.startedAt < durationMs(rule.window)) continue;
      let targets: readonly string[];
      try {
        targets = rule.service === '*' ? (services ??= await this.options.source.activeServices(now)) : [rule.service];
      } catch (error) {
        this.failures.push({ rule, service: null, error });
        continue;
      }
      this.lastRun.set(rule.id, { at: now, version });
      // A target that fails (its reads threw) keeps its state, and the others their changes: a throw out of
      // here lost the changes already made to the open episodes, and an alert stayed firing unrecorded.
      for (const service of targets) {
        try {
          await this.evaluateOne(rule, service, now, changes);
        } catch (error) {
          this.failures.push({ rule, service, error });
        }
        await yielded.ifDue();
      }
      if (rule.service === '*') this.closeGoneServices(rule, new Set(targets), now, changes);
    }
    for (const id of this.lastRun.keys()) if (!live.has(id)) this.lastRun.delete(id);
    return changes;
  }

  private async evaluateOne(rule: Rule, service: string, now: number, changes: AlertChange[]): Promise<void> {
    const { source } = this.options;
    const key = targetKey(rule.id, service);
    const windowMs = durationMs(rule.window);
    const open = this.open.get(key);
    const detector = detectorFor(rule.condition);
    const result = evaluateTarget({
      rule,
      service,
      // `absent` asks about the time up to now itself: a service that stopped has stopped reporting too.
      current: await source.window(service, rule.signal, now - windowMs, now, rule.condition.type !== 'absent'),
      history: detector.needsHistory ? await source.history(service, rule.signal, now, windowMs) : null,
      seen: await source.seen(service),
      episode: open?.episode ?? null,
      now,
      newId: this.options.newId,
    });
    const { step, alert } = result;
    if (step.episode) this.open.set(key, { rule, service, episode: step.episode });
    else this.open.delete(key);
    if (step.transition && alert) changes.push({ rule, transition: step.transition, alert });
  }

  /**
   * Takes over the episodes open before a restart. One whose rule is gone is adopted with a stand-in rule
   * so that the next step closes it like any orphan, and says so.
   */
  private adoptRestored(live: ReadonlyMap<string, Rule>, now: number): void {
    for (const { alert, episode } of this.restored.splice(0)) {
      const rule = live.get(alert.ruleId) ?? standInRule(alert);
      this.open.set(targetKey(alert.ruleId, alert.service), {
        rule,
        service: alert.service,
        episode: { ...episode, lastBreachAt: now },
      });
    }
  }

  /** Open episodes of rules deleted or disabled since the last evaluation resolve, saying why. */
  private closeOrphans(live: ReadonlyMap<string, Rule>, now: number, changes: AlertChange[]): void {
    for (const [key, target] of this.open) {
      if (live.has(target.rule.id)) continue;
      this.open.delete(key);
      changes.push(closing(target, now, 'the rule was deleted or disabled'));
    }
  }

  private closeGoneServices(rule: Rule, targets: ReadonlySet<string>, now: number, changes: AlertChange[]): void {
    for (const [key, target] of this.open) {
      if (target.rule.id !== rule.id || targets.has(target.service)) continue;
      this.open.delete(key);
      changes.push(closing(target, now, `${target.service} is no longer an active service`));
    }
  }
}

function closing(target: OpenTarget, now: number, reason: string): AlertChange {
  const { rule, service, episode } = target;
  const transition: Transition = episode.state === 'firing' ? 'resolved' : 'cancelled';
  return { rule, transition, alert: alertRecord(rule, service, episode, null, now, reason) };
}

/** Enough of a rule to close an alert whose rule no longer exists. */
function standInRule(alert: Alert): Rule {
  return {
    id: alert.ruleId,
    name: alert.ruleName,
    enabled: false,
    service: alert.service,
    signal: alert.signal,
    condition: { type: 'absent' },
    window: '1m',
    for: '0s',
    keepFiringFor: '0s',
    severity: alert.severity,
    notify: [],
    source: 'api',
    readOnly: false,
  };
}

/** The store's reads are synchronous: a `*` rule over 1,000 services gives the event loop back now and then. */
const YIELD_EVERY_MS = 10;

class Yielder {
  private since = performance.now();

  async ifDue(): Promise<void> {
    if (performance.now() - this.since < YIELD_EVERY_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}

const targetKey = (ruleId: string, service: string) => `${ruleId}\u0000${service}`;
