import type { Session } from '@pulseboard/shared';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { fetchSession, logOut } from '../api/session.ts';
import { SessionContext, UNAUTHORIZED_EVENT } from './context.ts';
import { LoginView } from './LoginView.tsx';

type State = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; session: Session };

/**
 * Asks the server whether keys are on; shows the login view until this browser has a session, then the
 * dashboard with the session's role in context. A 401 anywhere (session expired, logged out elsewhere)
 * sends it back to the login view.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const check = useCallback((signal?: AbortSignal) => {
    fetchSession(signal).then(
      (session) => setState({ status: 'ready', session }),
      (error: Error) => {
        if (!signal?.aborted) setState({ status: 'error', message: error.message });
      },
    );
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    check(controller.signal);
    const onUnauthorized = () => check();
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => {
      controller.abort();
      window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    };
  }, [check]);
  const value = useMemo(
    () =>
      state.status === 'ready'
        ? {
            session: state.session,
            logOut: () => {
              // Back to the login view whatever the server said: the cookie is cleared or already useless.
              void logOut()
                .catch(() => {})
                .then(() => setState({ status: 'ready', session: { auth: true, role: null } }));
            },
          }
        : null,
    [state],
  );

  if (state.status === 'loading') return <p className="muted login-status">Loading…</p>;
  if (state.status === 'error') {
    return (
      <p className="error-text login-status" role="alert">
        Could not reach the server: {state.message}{' '}
        <button type="button" onClick={() => check()}>
          Retry
        </button>
      </p>
    );
  }
  if (!value || value.session.role === null) {
    return <LoginView onLoggedIn={(session) => setState({ status: 'ready', session })} />;
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
