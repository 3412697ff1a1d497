import { useCallback, useSyncExternalStore } from 'react';
import type { ThemeName } from './palette.ts';

const KEY = 'pulseboard.theme';
const CHANGE = 'pulseboard:theme';

/** The choice when storage is off (private mode): it then lasts for this page only. */
let unsaved: ThemeName = 'dark';

function read(): ThemeName {
  try {
    return localStorage.getItem(KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return unsaved;
  }
}

/** Puts the stored theme on <html> (dark unless the user chose light). Called once before the first render. */
export function applyStoredTheme(): void {
  document.documentElement.dataset.theme = read();
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener(CHANGE, onChange);
  window.addEventListener('storage', onChange);
  return () => {
    window.removeEventListener(CHANGE, onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** The theme and a setter that persists it. */
export function useTheme(): [ThemeName, (theme: ThemeName) => void] {
  const theme = useSyncExternalStore(subscribe, read);
  const set = useCallback((next: ThemeName) => {
    unsaved = next;
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // `read` falls back to `unsaved`.
    }
    document.documentElement.dataset.theme = next;
    window.dispatchEvent(new Event(CHANGE));
  }, []);
  return [theme, set];
}
