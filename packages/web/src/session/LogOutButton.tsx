import { useSession } from './context.ts';

/** Shown only when the server has keys: without them there is no session to end. */
export function LogOutButton() {
  const { session, logOut } = useSession();
  if (!session.auth) return null;
  return (
    <span className="session-controls">
      <span className="muted" data-testid="session-role">
        {session.role === 'admin' ? 'admin' : 'read-only'}
        {session.label ? ` (${session.label})` : ''}
      </span>
      <button type="button" onClick={logOut}>
        Log out
      </button>
    </span>
  );
}
