import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { parseView, type ViewState, viewUrl } from '../state/view.ts';

const NAVIGATE = 'pulseboard:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE, onChange);
  };
}

const zoomed = () => (history.state as { zoomed?: boolean } | null)?.zoomed === true;
const snapshot = () => `${zoomed() ? 'z' : '-'}${location.pathname}${location.search}`;

export interface NavigateOptions {
  /** Replace the history entry instead of adding one (small tweaks such as a table's sort). */
  replace?: boolean;
  /** Marks the entry as a zoom, so "Zoom out" can go back to the view before it. */
  zoom?: boolean;
}

export type Navigate = (patch: Partial<ViewState>, options?: NavigateOptions) => void;

/** Moves to a view: the URL is the only store of view state, so a copied link reproduces it. */
export const navigate: Navigate = (patch, options = {}) => {
  const next = { ...parseView(location.pathname, location.search), ...patch };
  const url = viewUrl(next);
  if (url === location.pathname + location.search && !options.zoom) return;
  const state = options.zoom ? { zoomed: true } : null;
  if (options.replace) history.replaceState(state, '', url);
  else history.pushState(state, '', url);
  window.dispatchEvent(new Event(NAVIGATE));
};

/** The current view, re-rendered on every navigation (links, back/forward, zoom). */
export function useView(): { view: ViewState; zoomed: boolean; navigate: Navigate; zoomOut: () => void } {
  const key = useSyncExternalStore(subscribe, snapshot);
  const view = useMemo(() => {
    const url = new URL(key.slice(1), location.origin);
    return parseView(url.pathname, url.search);
  }, [key]);
  const zoomOut = useCallback(() => history.back(), []);
  return { view, zoomed: key.startsWith('z'), navigate, zoomOut };
}
