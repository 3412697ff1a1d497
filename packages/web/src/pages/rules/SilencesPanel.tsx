import type { Rule, Silence } from '@pulseboard/shared';
import { type FormEvent, useId, useState } from 'react';
import { createSilence, deleteSilence } from '../../api/alerts.ts';
import { ApiError } from '../../api/client.ts';
import { Field } from '../../components/Field.tsx';
import type { LiveQuery } from '../../hooks/useLiveQuery.ts';
import { useUserName } from '../../hooks/useUserName.ts';
import { READ_ONLY_REASON, useCanChange } from '../../session/context.ts';
import { formatDateTime } from '../../time-format.ts';
import { type FieldError, serverFieldError } from './rule-form.ts';
import { checkSilence, EMPTY_SILENCE, SILENCE_FIELDS, type SilenceForm } from './silence-form.ts';

/** Active silences, and a form to add one (rule and/or service, for a duration). */
export function SilencesPanel({ query, rules }: { query: LiveQuery<Silence[]>; rules: Rule[] }) {
  const titleId = useId();
  const [listError, setListError] = useState<string | null>(null);
  const ruleName = (id: string | undefined) =>
    id === undefined ? 'any rule' : (rules.find((r) => r.id === id)?.name ?? id);
  const remove = async (id: string) => {
    setListError(null);
    try {
      await deleteSilence(id);
    } catch (e) {
      setListError(e instanceof Error ? e.message : String(e));
    }
    query.retry();
  };
  const silences = query.data ?? [];
  const canChange = useCanChange();
  return (
    <section className="panel" aria-labelledby={titleId} data-testid="silences" data-state={query.status}>
      <div className="panel-head">
        <h2 id={titleId}>Silences</h2>
      </div>
      {query.status === 'error' && <p className="error-text">Could not load silences: {query.error?.message}</p>}
      {listError && (
        <p className="error-text" role="alert">
          {listError}
        </p>
      )}
      {query.status === 'ready' && silences.length === 0 && <p className="muted">No active silences.</p>}
      {silences.length > 0 && (
        <table data-testid="silences-table">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Service</th>
              <th scope="col">Until</th>
              <th scope="col">Comment</th>
              <th scope="col">By</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {silences.map((s) => (
              <tr key={s.id} data-testid="silence-row">
                <td>{ruleName(s.ruleId)}</td>
                <td>{s.service ?? 'any service'}</td>
                <td>{formatDateTime(s.endsAt)}</td>
                <td>{s.comment ?? ''}</td>
                <td>{s.createdBy ?? ''}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => void remove(s.id)}
                    aria-label={`Delete silence ${s.id}`}
                    disabled={!canChange}
                    title={canChange ? undefined : READ_ONLY_REASON}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canChange ? (
        <NewSilence rules={rules} onCreated={query.retry} />
      ) : (
        <p className="muted">Silences are added with an admin key.</p>
      )}
    </section>
  );
}

function NewSilence({ rules, onCreated }: { rules: Rule[]; onCreated: () => void }) {
  const [form, setForm] = useState<SilenceForm>(EMPTY_SILENCE);
  const [error, setError] = useState<FieldError | null>(null);
  const [busy, setBusy] = useState(false);
  const [user] = useUserName();
  const set = (key: keyof SilenceForm, value: string) => setForm((f) => ({ ...f, [key]: value }));
  const errorOf = (field: string) => (error?.field === field ? error.message : undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = checkSilence(form, user);
    if (!('ok' in result)) return setError(result);
    setError(null);
    setBusy(true);
    try {
      await createSilence(result.input);
      setForm(EMPTY_SILENCE);
      onCreated();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const mapped = err instanceof ApiError && err.status === 400 ? serverFieldError(message) : null;
      const known = mapped && (SILENCE_FIELDS as readonly string[]).includes(mapped.field);
      setError(known && mapped ? mapped : { field: 'form', message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="New silence" className="silence-form">
      <h3>New silence</h3>
      <div className="form-grid">
        <Field label="Silence rule" error={errorOf('ruleId')}>
          <select value={form.ruleId} onChange={(e) => set('ruleId', e.target.value)}>
            <option value="">Any rule</option>
            {rules.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Silence service" error={errorOf('service')} hint="blank: any service">
          <input value={form.service} onChange={(e) => set('service', e.target.value)} />
        </Field>
        <Field label="Duration" error={errorOf('duration')} hint="e.g. 30m, 1h, 1d">
          <input value={form.duration} onChange={(e) => set('duration', e.target.value)} />
        </Field>
        <Field label="Comment" error={errorOf('comment')}>
          <input value={form.comment} onChange={(e) => set('comment', e.target.value)} maxLength={1024} />
        </Field>
      </div>
      {error?.field === 'form' && (
        <p className="field-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          Add silence
        </button>
      </div>
    </form>
  );
}
