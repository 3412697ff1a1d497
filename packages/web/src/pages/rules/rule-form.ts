import {
  ANOMALY_DIRECTIONS,
  type AnomalyDirection,
  type Condition,
  checkRule,
  type Rule,
  type RuleInput,
  type Severity,
  signalFormat,
} from '@pulseboard/shared';

/** The rule form's state as text fields, and its translation to and from the API's rule. */

export type ConditionType = Condition['type'];

export interface RuleForm {
  name: string;
  enabled: boolean;
  service: string;
  signal: string;
  type: ConditionType;
  op: '>' | '<';
  value: string;
  recovery: string;
  sensitivity: string;
  direction: AnomalyDirection;
  window: string;
  for: string;
  keepFiringFor: string;
  severity: Severity;
}

export interface FieldError {
  field: string;
  message: string;
}

export const EMPTY_FORM: RuleForm = {
  name: '',
  enabled: true,
  service: '*',
  signal: 'p99',
  type: 'threshold',
  op: '>',
  value: '',
  recovery: '',
  sensitivity: '3',
  direction: 'up',
  window: '1m',
  for: '0s',
  keepFiringFor: '0s',
  severity: 'warning',
};

/** A number field: a number when it reads as one, left out when blank, else the text (so the check names it). */
function numeric(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

function condition(form: RuleForm): Record<string, unknown> {
  if (form.type === 'absent') return { type: 'absent' };
  if (form.type === 'anomaly') {
    return { type: 'anomaly', sensitivity: numeric(form.sensitivity), direction: form.direction };
  }
  const recovery = numeric(form.recovery);
  return {
    type: 'threshold',
    op: form.op,
    value: numeric(form.value),
    ...(recovery === undefined ? {} : { recovery }),
  };
}

/** What the form submits; unchecked (`checkForm` says whether it is a valid rule). */
export function formToInput(form: RuleForm, notify: Rule['notify'] = []): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: form.name.trim(),
    enabled: form.enabled,
    service: form.service.trim(),
    signal: form.signal.trim(),
    condition: condition(form),
    window: form.window.trim(),
    severity: form.severity,
    notify,
  };
  for (const key of ['for', 'keepFiringFor'] as const) if (form[key].trim()) body[key] = form[key].trim();
  // Leave out undefined numbers so the check reports them as missing, not as the wrong type.
  const c = body.condition as Record<string, unknown>;
  for (const key of Object.keys(c)) if (c[key] === undefined) delete c[key];
  return body;
}

/** The schema's wording for an empty text, in the words of a form. */
const plain = (message: string) => (/fewer than 1 character/.test(message) ? 'is required' : message);

/** Valid stand-ins by field, so the check can go on past a bad field and find the next one. */
const STAND_INS: Readonly<Record<string, unknown>> = {
  name: 'rule',
  service: '*',
  signal: 'p99',
  window: '1m',
  for: '0s',
  keepFiringFor: '0s',
  severity: 'warning',
  'condition.op': '>',
  'condition.sensitivity': 3,
  'condition.direction': 'both',
};

/** Puts a valid stand-in in place of `field` in `probe`; false when there is none. */
function standIn(probe: Record<string, unknown>, field: string): boolean {
  const c = probe.condition as Record<string, unknown>;
  if (field === 'condition.value') c.value = typeof c.recovery === 'number' ? c.recovery : 0;
  else if (field === 'condition.recovery') delete c.recovery;
  else if (!(field in STAND_INS)) return false;
  else if (field.startsWith('condition.')) c[field.slice('condition.'.length)] = STAND_INS[field];
  else probe[field] = STAND_INS[field];
  return true;
}

/**
 * Every problem, one per field, as the shared check (and so the server) words it; or the rule to send. The shared
 * check stops at the first problem, so each bad field is replaced by a valid stand-in and the check runs again.
 */
export function checkForm(
  form: RuleForm,
  notify: Rule['notify'] = [],
): { ok: true; input: RuleInput } | { ok: false; errors: Record<string, string> } {
  const input = formToInput(form, notify);
  const first = checkRule(input);
  if (first.ok) return { ok: true, input: input as RuleInput };
  const errors: Record<string, string> = { [first.field]: plain(first.message) };
  const probe = structuredClone(input);
  let result: ReturnType<typeof checkRule> = first;
  while (!result.ok) {
    if (!standIn(probe, result.field)) break;
    result = checkRule(probe);
    if (!result.ok) {
      if (result.field in errors) break;
      errors[result.field] = plain(result.message);
    }
  }
  return { ok: false, errors };
}

/** The form for an existing rule (editing). */
export function ruleToForm(rule: Rule): RuleForm {
  const c = rule.condition;
  return {
    ...EMPTY_FORM,
    name: rule.name,
    enabled: rule.enabled,
    service: rule.service,
    signal: rule.signal,
    type: c.type,
    op: c.type === 'threshold' ? c.op : '>',
    value: c.type === 'threshold' ? String(c.value) : '',
    recovery: c.type === 'threshold' && c.recovery !== undefined && c.recovery !== c.value ? String(c.recovery) : '',
    sensitivity: c.type === 'anomaly' ? String(c.sensitivity) : EMPTY_FORM.sensitivity,
    direction: c.type === 'anomaly' ? (c.direction ?? 'both') : EMPTY_FORM.direction,
    window: rule.window,
    for: rule.for,
    keepFiringFor: rule.keepFiringFor,
    severity: rule.severity,
  };
}

/** The form fields an error can point at; anything else is shown for the whole form. */
export const FORM_FIELDS = [
  'name',
  'service',
  'signal',
  'condition.type',
  'condition.op',
  'condition.value',
  'condition.recovery',
  'condition.sensitivity',
  'condition.direction',
  'window',
  'for',
  'keepFiringFor',
  'severity',
] as const;

/** A server message such as `window: must be from 1s to 1d` as the field it names (or the whole form). */
export function serverFieldError(message: string): FieldError {
  const match = /^([\w.[\]]+): (.*)$/s.exec(message);
  const field = match?.[1];
  if (match && field && (FORM_FIELDS as readonly string[]).includes(field)) return { field, message: match[2] ?? '' };
  return { field: 'form', message };
}

/** `> 250 ms (recovers at 200 ms)`, `> 5%`, `anomaly 3σ up`, `absent`: values in the signal's unit. */
export function conditionSummary(rule: Pick<Rule, 'signal' | 'condition' | 'window' | 'for'>): string {
  const c = rule.condition;
  const over = `over ${rule.window}${rule.for !== '0s' ? `, for ${rule.for}` : ''}`;
  if (c.type === 'absent') return `no data for ${rule.window}`;
  if (c.type === 'anomaly') return `anomaly ${c.sensitivity}σ ${c.direction ?? 'both'} ${over}`;
  const { format } = signalFormat(rule.signal);
  const recovery = c.recovery !== undefined && c.recovery !== c.value ? ` (recovers at ${format(c.recovery)})` : '';
  return `${c.op} ${format(c.value)}${recovery} ${over}`;
}

export const DIRECTIONS = ANOMALY_DIRECTIONS;

const UNIT_HINTS = { ms: 'in ms', 'req/s': 'in requests per second', fraction: 'a fraction: 0.02 for 2 %', '': '' };

/**
 * What a threshold field is typed in for the form's signal, and how the typed number reads (`= 2%`), so an
 * error rate typed as "2" meaning 2 % shows as 200% before the check refuses it.
 */
export function thresholdHint(signal: string, text: string): string | undefined {
  const { unit, format } = signalFormat(signal.trim());
  const n = text.trim() === '' ? Number.NaN : Number(text);
  const reads = Number.isFinite(n) && unit === 'fraction' ? `= ${format(n)}` : '';
  return [UNIT_HINTS[unit], reads].filter(Boolean).join(', ') || undefined;
}

/** A stored rule as the body PUT takes, with some fields changed (the enable toggle). */
export function ruleInput(rule: Rule, patch: Partial<RuleInput> = {}): RuleInput {
  const { name, enabled, service, signal, condition, window, for: holdFor, keepFiringFor, severity, notify } = rule;
  return { name, enabled, service, signal, condition, window, for: holdFor, keepFiringFor, severity, notify, ...patch };
}
