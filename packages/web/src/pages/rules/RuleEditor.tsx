import { RED_SIGNALS, type Rule, SEVERITIES } from '@pulseboard/shared';
import { type FormEvent, useId, useState } from 'react';
import { createRule, updateRule } from '../../api/alerts.ts';
import { ApiError } from '../../api/client.ts';
import { Field } from '../../components/Field.tsx';
import {
  checkForm,
  DIRECTIONS,
  EMPTY_FORM,
  FORM_FIELDS,
  type RuleForm,
  ruleToForm,
  serverFieldError,
  thresholdHint,
} from './rule-form.ts';

interface Props {
  /** The rule being edited, or null for a new one. */
  rule: Rule | null;
  services: readonly string[];
  onSaved: (rule: Rule) => void;
  onCancel: () => void;
}

/** Create or edit a rule; every problem shows beside its field before anything is sent. */
export function RuleEditor({ rule, services, onSaved, onCancel }: Props) {
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleToForm(rule) : EMPTY_FORM));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const listIds = { services: useId(), signals: useId() };

  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => {
    const next = { ...form, [key]: value };
    setForm(next);
    // Once a submit has shown a problem, re-check as the user types so the message clears when fixed.
    if (tried) {
      const result = checkForm(next, rule?.notify);
      setErrors(result.ok ? {} : result.errors);
    }
  };
  const errorOf = (field: string) => errors[field];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    const result = checkForm(form, rule?.notify);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setBusy(true);
    try {
      onSaved(rule ? await updateRule(rule.id, result.input) : await createRule(result.input));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const mapped =
        err instanceof ApiError && err.status === 400 ? serverFieldError(message) : { field: 'form', message };
      setErrors({ [mapped.field]: mapped.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby={titleId} data-testid="rule-editor">
      <div className="panel-head">
        <h2 id={titleId}>{rule ? `Edit rule ${rule.name}` : 'New rule'}</h2>
      </div>
      <form onSubmit={submit} noValidate>
        <div className="form-grid">
          <Field label="Name" error={errorOf('name')}>
            <input value={form.name} onChange={(e) => set('name', e.target.value)} maxLength={256} />
          </Field>
          <Field label="Service" error={errorOf('service')} hint="a service, or * for every one">
            <input value={form.service} list={listIds.services} onChange={(e) => set('service', e.target.value)} />
          </Field>
          <Field label="Signal" error={errorOf('signal')} hint="or metric:NAME:STAT">
            <input value={form.signal} list={listIds.signals} onChange={(e) => set('signal', e.target.value)} />
          </Field>
          <Field label="Condition" error={errorOf('condition.type')}>
            <select value={form.type} onChange={(e) => set('type', e.target.value as RuleForm['type'])}>
              <option value="threshold">threshold</option>
              <option value="anomaly">anomaly</option>
              <option value="absent">absent (no data)</option>
            </select>
          </Field>
          {form.type === 'threshold' && (
            <>
              <Field label="Operator" error={errorOf('condition.op')}>
                <select value={form.op} onChange={(e) => set('op', e.target.value === '<' ? '<' : '>')}>
                  <option value=">">&gt; above</option>
                  <option value="<">&lt; below</option>
                </select>
              </Field>
              <Field label="Value" error={errorOf('condition.value')} hint={thresholdHint(form.signal, form.value)}>
                <input inputMode="decimal" value={form.value} onChange={(e) => set('value', e.target.value)} />
              </Field>
              <Field
                label="Recovery"
                error={errorOf('condition.recovery')}
                hint={form.recovery.trim() ? thresholdHint(form.signal, form.recovery) : 'blank: the value'}
              >
                <input inputMode="decimal" value={form.recovery} onChange={(e) => set('recovery', e.target.value)} />
              </Field>
            </>
          )}
          {form.type === 'anomaly' && (
            <>
              <Field label="Sensitivity (σ)" error={errorOf('condition.sensitivity')}>
                <input
                  inputMode="decimal"
                  value={form.sensitivity}
                  onChange={(e) => set('sensitivity', e.target.value)}
                />
              </Field>
              <Field label="Direction" error={errorOf('condition.direction')}>
                <ChoiceSelect choices={DIRECTIONS} value={form.direction} onChange={(d) => set('direction', d)} />
              </Field>
            </>
          )}
          <Field label="Window" error={errorOf('window')} hint="e.g. 30s, 5m, 1h">
            <input value={form.window} onChange={(e) => set('window', e.target.value)} />
          </Field>
          <Field label="For" error={errorOf('for')} hint="pending this long first">
            <input value={form.for} onChange={(e) => set('for', e.target.value)} />
          </Field>
          <Field label="Keep firing for" error={errorOf('keepFiringFor')}>
            <input value={form.keepFiringFor} onChange={(e) => set('keepFiringFor', e.target.value)} />
          </Field>
          <Field label="Severity" error={errorOf('severity')}>
            <ChoiceSelect choices={SEVERITIES} value={form.severity} onChange={(v) => set('severity', v)} />
          </Field>
          <label className="option">
            <input type="checkbox" checked={form.enabled} onChange={(e) => set('enabled', e.target.checked)} />
            Enabled
          </label>
        </div>
        <datalist id={listIds.services}>
          <option value="*" />
          {services.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <datalist id={listIds.signals}>
          {RED_SIGNALS.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        {Object.entries(errors)
          .filter(([field]) => !(FORM_FIELDS as readonly string[]).includes(field))
          .map(([field, message]) => (
            <p key={field} className="field-error" role="alert">
              {field === 'form' ? message : `${field}: ${message}`}
            </p>
          ))}
        <div className="form-actions">
          <button type="submit" disabled={busy}>
            {rule ? 'Save rule' : 'Create rule'}
          </button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

/** A select of fixed choices that hands back the chosen one typed; `Field` passes its id and aria props on. */
function ChoiceSelect<T extends string>({
  choices,
  value,
  onChange,
  ...control
}: {
  choices: readonly T[];
  value: T;
  onChange: (choice: T) => void;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}) {
  return (
    <select {...control} value={value} onChange={(e) => onChange(choices.find((c) => c === e.target.value) ?? value)}>
      {choices.map((c) => (
        <option key={c}>{c}</option>
      ))}
    </select>
  );
}
