import type { Alert } from '@pulseboard/shared';
import { useMemo } from 'react';
import { ReferenceLine } from 'recharts';
import { type AlertMark, alertMarks, SEVERITY_COLOURS } from './alert-marks.ts';

interface LineProps {
  x1?: number;
  y1?: number;
  x2?: number;
  y2?: number;
}

/** A vertical line with a hover title (SVG `<title>`, text only) and a wider invisible target for the pointer. */
function markShape(mark: AlertMark) {
  const colour = SEVERITY_COLOURS[mark.severity];
  return ({ x1, y1, x2, y2 }: LineProps) => (
    <g className="alert-mark" data-edge={mark.edge} data-severity={mark.severity}>
      <title>{mark.title}</title>
      <line x1={x1} y1={y1} x2={x2} y2={y2} stroke="transparent" strokeWidth={8} />
      <line
        x1={x1}
        y1={y1}
        x2={x2}
        y2={y2}
        stroke={colour}
        strokeWidth={1.5}
        strokeDasharray={mark.edge === 'end' ? '4 3' : undefined}
      />
    </g>
  );
}

/**
 * Reference lines for alert starts and ends in the window, for a Recharts chart's children. Rebuilt only when the
 * marks change, not on every live second.
 */
export function useAlertLines(
  alerts: readonly Alert[] | null | undefined,
  window: { from: number; to: number } | undefined,
  services: readonly string[] | null,
) {
  const marks = alertMarks(alerts, window ?? { from: 0, to: 0 }, services);
  const key = marks.map((m) => `${m.key}:${m.t}:${m.title}`).join('|');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `marks`.
  const lines = useMemo(() => alertLines(marks), [key]);
  return { lines, count: marks.length };
}

function alertLines(marks: readonly AlertMark[]) {
  return marks.map((mark) => <ReferenceLine key={mark.key} x={mark.t} ifOverflow="discard" shape={markShape(mark)} />);
}
