import type { Session } from '@pulseboard/shared';
import { type FormEvent, useId, useState } from 'react';
import { logIn } from '../api/session.ts';

/** The key, asked once: the server keeps the session in an HttpOnly cookie, the page keeps nothing. */
export function LoginView({ onLoggedIn }: { onLoggedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key.trim()) return setError('Enter a read or admin key.');
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await logIn(key.trim()));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <main className="login" data-testid="login">
      <form className="panel login-form" onSubmit={submit} noValidate aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`}>Pulseboard</h1>
        <p className="muted">
          This server needs a key. Ask its operator for a read key (or an admin key to change rules).
        </p>
        <label htmlFor={inputId}>Key</label>
        <input
          id={inputId}
          type="password"
          autoComplete="current-password"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? `${inputId}-error` : undefined}
        />
        {error && (
          <p id={`${inputId}-error`} className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Log in
        </button>
      </form>
    </main>
  );
}
