import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { deleteService } from '../api/endpoints.ts';
import { READ_ONLY_REASON, useCanChange } from '../session/context.ts';

/**
 * Deletes a service and all its stored data, after a second click that says what it does. Why: a service
 * that stopped for good (renamed, retired, a test) stays in the lists, and the default `absent` rule's alert
 * for it keeps firing, until it has been silent for `--inactive-after` (a day); deleting it ends both.
 */
export function DeleteService({ service, onDeleted }: { service: string; onDeleted: () => void }) {
  const canChange = useCanChange();
  const [state, setState] = useState<'idle' | 'confirming' | 'deleting'>('idle');
  const [error, setError] = useState<string | null>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  // The question takes the focus (the button that opened it is gone), so a screen reader reads it out.
  useEffect(() => {
    if (state === 'confirming') cancel.current?.focus();
  }, [state]);
  const ask = (next: 'idle' | 'confirming') => {
    setError(null);
    setState(next);
  };
  const remove = async () => {
    setState('deleting');
    setError(null);
    try {
      await deleteService(service);
      onDeleted();
    } catch (e) {
      // Already gone (another tab, another instance): what was asked for is done.
      if (e instanceof ApiError && e.status === 404) return onDeleted();
      setError(e instanceof Error ? e.message : String(e));
      setState('confirming');
    }
  };
  if (state === 'idle') {
    return (
      <div className="page-actions">
        <button
          type="button"
          data-testid="delete-service"
          disabled={!canChange}
          title={canChange ? `Delete ${service} and all its data` : READ_ONLY_REASON}
          onClick={() => ask('confirming')}
        >
          Delete service
        </button>
      </div>
    );
  }
  return (
    <div className="panel page-actions delete-service" role="alertdialog" aria-labelledby="delete-service-question">
      <p id="delete-service-question">
        Delete <strong>{service}</strong> and all its stored data? This cannot be undone. If it reports again, it comes
        back as a new service.
      </p>
      <div className="delete-actions">
        <button
          type="button"
          className="danger"
          data-testid="confirm-delete-service"
          disabled={state === 'deleting'}
          onClick={() => void remove()}
        >
          {state === 'deleting' ? 'Deleting…' : 'Delete it'}
        </button>
        <button type="button" ref={cancel} disabled={state === 'deleting'} onClick={() => ask('idle')}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
