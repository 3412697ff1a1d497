import type { Alert } from '@pulseboard/shared';
import { type FormEvent, useId, useState } from 'react';
import { ackAlert } from '../../api/alerts.ts';
import { useUserName } from '../../hooks/useUserName.ts';
import { useCanChange } from '../../session/context.ts';

/** Acknowledge button; the first time, asks for the user's name inline and remembers it. */
export function AckControl({ alert, onAcked }: { alert: Alert; onAcked: (alert: Alert) => void }) {
  const [name, setName] = useUserName();
  const [asking, setAsking] = useState(false);
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const canChange = useCanChange();

  if (alert.acknowledgedBy !== undefined) {
    return <span className="muted">Acknowledged by {alert.acknowledgedBy}</span>;
  }
  // A read-only session could only fail to acknowledge.
  if (!canChange) return null;
  const ack = async (by: string) => {
    setBusy(true);
    setError(null);
    try {
      onAcked(await ackAlert(alert.id, by));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const submitName = (e: FormEvent) => {
    e.preventDefault();
    if (!draft.trim()) return;
    setName(draft);
    setAsking(false);
    void ack(draft.trim());
  };
  return (
    <span className="ack">
      {asking ? (
        <form className="inline-form" onSubmit={submitName}>
          <label htmlFor={inputId}>Your name</label>
          <input id={inputId} value={draft} onChange={(e) => setDraft(e.target.value)} required maxLength={256} />
          <button type="submit">Save and acknowledge</button>
          <button type="button" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button
          type="button"
          disabled={busy}
          aria-label={`Acknowledge ${alert.ruleName} on ${alert.service}`}
          onClick={() => (name ? void ack(name) : setAsking(true))}
        >
          Acknowledge
        </button>
      )}
      {error && (
        <span className="error-text" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
