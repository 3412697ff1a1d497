import type Type from 'typebox';
import Value from 'typebox/value';
import {
  type Condition,
  ConditionSchema,
  RED_SIGNALS,
  type RedSignal,
  type Rule,
  type RuleInput,
  RuleInputSchema,
} from './alerts.ts';
import { SERIES_STATS } from './query.ts';
import { signalFormat } from './signal-format.ts';
import { DAY, parseDuration } from './time.ts';

/**
 * Rule checks shared by the server (which enforces them) and the page (which shows them inline), so both
 * name the same field with the same words.
 */

/** A rule's own fields with every default filled in: what the server stores. */
export type RuleBody = Omit<Rule, 'id' | 'source' | 'readOnly' | 'alerts'>;

export type RuleCheck = { ok: true; rule: RuleBody } | { ok: false; field: string; message: string };

export type Signal = { kind: 'red'; name: RedSignal } | { kind: 'metric'; metric: string; stat: string };

const ALL_STATS = new Set<string>(Object.values(SERIES_STATS).flat());
const MAX_WINDOW_MS = DAY;

/** `p99` -> red; `metric:process.cpu.utilization:avg` -> metric (the name may itself hold colons). */
export function parseSignal(text: string): Signal | null {
  if ((RED_SIGNALS as readonly string[]).includes(text)) return { kind: 'red', name: text as RedSignal };
  if (!text.startsWith('metric:')) return null;
  const rest = text.slice('metric:'.length);
  const cut = rest.lastIndexOf(':');
  const metric = rest.slice(0, cut);
  const stat = rest.slice(cut + 1);
  if (cut <= 0 || !ALL_STATS.has(stat)) return null;
  return { kind: 'metric', metric, stat };
}

/** Validates a rule from the API or a file; the first problem comes back with the field it is in. */
export function checkRule(input: unknown): RuleCheck {
  const fail = (field: string, message: string): RuleCheck => ({ ok: false, field, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('body', 'must be an object');
  // The condition first, against its own type's schema, so the error is about the field and not "anyOf".
  const condition = (input as { condition?: unknown }).condition;
  if (typeof condition === 'object' && condition !== null && !Array.isArray(condition)) {
    const type = (condition as { type?: unknown }).type;
    const schema = ConditionSchema.anyOf.find((s) => s.properties.type.const === type);
    if (!schema) return fail('condition.type', 'must be threshold, anomaly or absent');
    const problem = schemaProblem(schema, condition, 'condition');
    if (problem) return fail(problem.field, problem.message);
  }
  const problem = schemaProblem(RuleInputSchema, input, '');
  if (problem) return fail(problem.field, problem.message);
  const rule = input as RuleInput;

  if (!parseSignal(rule.signal)) {
    return fail(
      'signal',
      `must be rate, errorRate, p50, p95, p99 or metric:NAME:STAT with STAT one of ${[...ALL_STATS].join(', ')}`,
    );
  }
  const window = parseDuration(rule.window)!;
  if (window < 1000 || window > MAX_WINDOW_MS) return fail('window', 'must be from 1s to 1d');
  for (const field of ['for', 'keepFiringFor'] as const) {
    const text = rule[field];
    if (text !== undefined && parseDuration(text)! > MAX_WINDOW_MS) return fail(field, 'must be at most 1d');
  }
  const c = rule.condition;
  // An error rate is a fraction: "2" meant as 2 % would never fire (and 0.02 is easy to mistype as 2).
  if (c.type === 'threshold' && signalFormat(rule.signal).unit === 'fraction') {
    for (const key of ['value', 'recovery'] as const) {
      const v = c[key];
      if (v !== undefined && (v < 0 || v > 1)) {
        return fail(`condition.${key}`, 'must be a fraction from 0 to 1 (use 0.02 for 2 %)');
      }
    }
  }
  if (c.type === 'threshold' && c.recovery !== undefined) {
    if (c.op === '>' && c.recovery > c.value) return fail('condition.recovery', 'must not be above value for op >');
    if (c.op === '<' && c.recovery < c.value) return fail('condition.recovery', 'must not be below value for op <');
  }
  for (const [i, target] of (rule.notify ?? []).entries()) {
    if (!isHttpUrl(target.url)) return fail(`notify[${i}].url`, 'must be an http or https URL');
  }
  if (rule.service !== '*' && rule.service.includes('*')) {
    return fail('service', 'must be a service name or * for every service');
  }
  return { ok: true, rule: withDefaults(rule, c) };
}

function withDefaults(rule: RuleInput, c: Condition): RuleBody {
  let condition: Condition = c;
  if (c.type === 'threshold') condition = { ...c, recovery: c.recovery ?? c.value };
  if (c.type === 'anomaly') condition = { ...c, direction: c.direction ?? 'both' };
  return {
    name: rule.name,
    enabled: rule.enabled ?? true,
    service: rule.service,
    signal: rule.signal,
    condition,
    window: rule.window,
    for: rule.for ?? '0s',
    keepFiringFor: rule.keepFiringFor ?? '0s',
    severity: rule.severity,
    notify: rule.notify ?? [],
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const HINTS: Record<string, string> = {
  pattern: 'must be a duration like 30s, 5m, 1h or 1d',
};

/** The first schema error, as `field` (dotted, `notify[0].url`) and a plain message; null when valid. */
export function schemaProblem(
  schema: Type.TSchema,
  value: unknown,
  prefix: string,
): { field: string; message: string } | null {
  const first = Value.Errors(schema, value).find((e) => e.keyword !== 'boolean');
  if (!first) return null;
  const path = first.instancePath
    .split('/')
    .slice(1)
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), prefix);
  const join = (name: string) => (path ? `${path}.${name}` : name);
  if (first.keyword === 'required') {
    const missing = (first.params as { requiredProperties: string[] }).requiredProperties[0] ?? '';
    return { field: join(missing), message: 'is required' };
  }
  if (first.keyword === 'additionalProperties') {
    const extra = (first.params as { additionalProperties: string[] }).additionalProperties[0] ?? '';
    return { field: join(extra), message: 'is not a known field' };
  }
  return { field: path || 'body', message: HINTS[first.keyword] ?? first.message };
}
