import { useMemo, useRef, useState } from 'react';
import { ReferenceArea } from 'recharts';

interface ChartMouseState {
  activeLabel?: string | number | undefined;
}

const timeOf = (state: ChartMouseState): number | null => {
  const t = Number(state.activeLabel);
  return state.activeLabel !== undefined && Number.isFinite(t) ? t : null;
};

/**
 * Drag across a time chart to zoom: a shaded area follows the pointer and releasing calls `onZoom` with the
 * dragged span (to the end of the last bucket). The keyboard path to the same is the custom range.
 */
export function useDragZoom(step: number, onZoom: (from: number, to: number) => void) {
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  // Handlers read the drag from a ref so they keep their identity across live renders.
  const dragRef = useRef(drag);
  dragRef.current = drag;
  const handlers = useMemo(
    () => ({
      onMouseDown: (state: ChartMouseState) => {
        const t = timeOf(state);
        if (t !== null) setDrag({ start: t, end: t });
      },
      onMouseMove: (state: ChartMouseState) => {
        const t = timeOf(state);
        const current = dragRef.current;
        if (current && t !== null && t !== current.end) setDrag({ ...current, end: t });
      },
      onMouseUp: () => {
        const current = dragRef.current;
        if (current && current.start !== current.end) {
          onZoom(Math.min(current.start, current.end), Math.max(current.start, current.end) + step);
        }
        setDrag(null);
      },
      onMouseLeave: () => setDrag(null),
    }),
    [onZoom, step],
  );
  const area = drag ? (
    <ReferenceArea x1={drag.start} x2={drag.end} fill="var(--accent)" fillOpacity={0.2} ifOverflow="hidden" />
  ) : null;
  return { handlers, area, dragging: drag !== null };
}
