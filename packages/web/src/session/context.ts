import type { Session } from '@pulseboard/shared';
import { createContext, useContext } from 'react';

export interface SessionState {
  session: Session;
  /** Ends the session and returns to the login view. */
  logOut: () => void;
}

/** Without a gate (unit tests, no keys) everything is allowed, as on a server without keys. */
export const SessionContext = createContext<SessionState>({
  session: { auth: false, role: 'admin' },
  logOut: () => {},
});

export const useSession = () => useContext(SessionContext);

/** Rules, silences, acknowledgements: only an admin session (or a server without keys) changes them. */
export const useCanChange = () => useSession().session.role === 'admin';

/** Why a control is disabled in a read-only session. */
export const READ_ONLY_REASON = 'read-only session: log in with an admin key to change this';

/** The API client announces a 401 with this event, so the gate asks for the key again. */
export const UNAUTHORIZED_EVENT = 'pulseboard:unauthorized';
