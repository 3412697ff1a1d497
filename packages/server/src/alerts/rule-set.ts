import {
  checkRule,
  type MetricType,
  parseSignal,
  type Rule,
  type RuleBody,
  type RuleSource,
  SERIES_STATS,
} from '@pulseboard/shared';
import { AppError, badRequest, notFound } from '../errors.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { Serial } from './serial.ts';

export interface RuleSetOptions {
  store: AlertStore;
  /** Built-in and `--rules` rules: listed, evaluated, never changed through the API. */
  fixed: readonly Rule[];
  now: () => number;
  newId: () => string;
  /** Why a notification URL is refused (the destination policy), or null. */
  targetRefusal: (url: string) => string | null;
  /** The type of a metric the server has seen, so `metric:NAME:STAT` can be checked against it. */
  metricKind: (name: string) => MetricType | undefined;
  /** Rules made over the API, at most: each is evaluated every few seconds for every service it names. */
  maxRules: number;
}

/**
 * Every rule the server evaluates: fixed ones (defaults, `--rules`) and those made over the API. Changes are
 * made one at a time, each stored before the in-memory list changes, so `all()` never shows an unstored rule.
 */
export class RuleSet {
  private readonly writes = new Serial();

  private constructor(
    private readonly options: RuleSetOptions,
    private api: Rule[],
  ) {}

  /** The rule set with the stored API rules. */
  static async load(options: RuleSetOptions): Promise<RuleSet> {
    const stored = await options.store.listRules();
    return new RuleSet(
      options,
      stored.map((r) => toRule(r.id, r.body, 'api')),
    );
  }

  all(): readonly Rule[] {
    return [...this.options.fixed, ...this.api];
  }

  get(id: string): Rule {
    const rule = this.all().find((r) => r.id === id);
    if (!rule) throw notFound(`id: no rule ${id}`);
    return rule;
  }

  create(input: unknown): Promise<Rule> {
    return this.writes.run(async () => {
      const body = this.check(input);
      if (this.api.length >= this.options.maxRules) {
        throw new AppError(
          'PULSE_ERR_LIMIT_REACHED',
          `rules: ${this.api.length} rules made over the API, the limit (--max-rules ${this.options.maxRules}); delete one first`,
        );
      }
      const rule = toRule(this.options.newId(), body, 'api');
      const now = this.options.now();
      await this.options.store.insertRule({ id: rule.id, body, createdAt: now, updatedAt: now });
      this.api = [...this.api, rule];
      return rule;
    });
  }

  replace(id: string, input: unknown): Promise<Rule> {
    return this.writes.run(async () => {
      this.writable(id);
      const body = this.check(input);
      await this.options.store.updateRule(id, body, this.options.now());
      const rule = toRule(id, body, 'api');
      this.api = this.api.map((r) => (r.id === id ? rule : r));
      return rule;
    });
  }

  remove(id: string): Promise<void> {
    return this.writes.run(async () => {
      this.writable(id);
      await this.options.store.deleteRule(id);
      this.api = this.api.filter((r) => r.id !== id);
    });
  }

  private writable(id: string): void {
    const rule = this.get(id);
    if (rule.readOnly) {
      const from = rule.source === 'file' ? 'the --rules file' : 'the built-in defaults (--no-default-rules)';
      throw new AppError('PULSE_ERR_FORBIDDEN', `id: rule ${id} comes from ${from} and is read-only`);
    }
  }

  private check(input: unknown): RuleBody {
    const result = checkRule(input);
    if (!result.ok) throw badRequest(`${result.field}: ${result.message}`);
    const refused = firstRefusedTarget(result.rule, this.options.targetRefusal);
    if (refused) throw badRequest(refused);
    const signal = parseSignal(result.rule.signal);
    if (signal?.kind === 'metric') {
      const kind = this.options.metricKind(signal.metric);
      const stats: readonly string[] | undefined = kind && SERIES_STATS[kind];
      if (kind && stats && !stats.includes(signal.stat)) {
        throw badRequest(`signal: ${signal.metric} is a ${kind}; its stats are ${stats.join(', ')}`);
      }
    }
    return result.rule;
  }
}

/** `notify[i].url: why` for the first target the destination policy refuses, or null. */
export function firstRefusedTarget(rule: RuleBody, refusal: (url: string) => string | null): string | null {
  for (const [i, target] of rule.notify.entries()) {
    const reason = refusal(target.url);
    if (reason) return `notify[${i}].url: ${reason}`;
  }
  return null;
}

export function toRule(id: string, body: RuleBody, source: RuleSource): Rule {
  return { id, ...body, source, readOnly: source !== 'api' };
}
