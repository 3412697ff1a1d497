import { useCallback, useState } from 'react';

const KEY = 'pulseboard:user-name';

function read(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

/** Who acknowledges: asked once, kept in the browser. */
export function useUserName(): [string, (name: string) => void] {
  const [name, setName] = useState(read);
  const save = useCallback((next: string) => {
    const trimmed = next.trim();
    try {
      localStorage.setItem(KEY, trimmed);
    } catch {
      // private mode: remembered for this page only
    }
    setName(trimmed);
  }, []);
  return [name, save];
}
