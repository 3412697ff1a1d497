import type { FrameQuery } from './charts/ChartFrame.tsx';

/**
 * The loading skeleton, or the error with a retry button, that every panel shows in place of its content
 * while a query is not ready. Renders nothing once it is.
 */
export function QueryState({ query, what, height }: { query: FrameQuery; what?: string; height?: number }) {
  if (query.status === 'loading') {
    return <div className="skeleton" style={height ? { height } : undefined} role="status" aria-label="Loading" />;
  }
  if (query.status !== 'error') return null;
  return (
    <div className="state" role="alert">
      <span className="error-text">
        Could not load{what ? ` ${what}` : ''}: {query.error?.message ?? 'unknown error'}
      </span>
      <button type="button" onClick={query.retry}>
        Retry
      </button>
    </div>
  );
}
