import { useCallback, useRef, useState } from 'react';

/** The element's content width in px (0 until measured), following resizes. */
export function useWidth<T extends HTMLElement>(): [(element: T | null) => void, number] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((element: T | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!element) return;
    setWidth(Math.floor(element.clientWidth));
    observer.current = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.current.observe(element);
  }, []);
  return [ref, width];
}

/**
 * Points a chart asks for: one per `pxPerPoint` pixels, in steps of 10 so small resizes do not reload, and never
 * more than 2,000 (past that Recharts slows down). 0 until the width is known.
 */
export function maxPointsFor(width: number, pxPerPoint: number): number {
  if (width <= 0) return 0;
  return Math.min(2000, Math.max(10, Math.floor(width / pxPerPoint / 10) * 10));
}
