import type { Navigate } from '../../hooks/useView.ts';
import { isLive, toggleLive, type ViewState } from '../../state/view.ts';

/** Live follows now; paused freezes the window (the URL then holds absolute times). */
export function LiveToggle({ view, navigate, now }: { view: ViewState; navigate: Navigate; now: () => number }) {
  const live = isLive(view);
  return (
    <button
      type="button"
      aria-pressed={live}
      data-testid="live-toggle"
      onClick={() => navigate(toggleLive(view, now()))}
      title={live ? 'Pause: freeze the current window' : 'Go live: follow the current time'}
    >
      {live ? '● Live' : '❚❚ Paused'}
    </button>
  );
}
