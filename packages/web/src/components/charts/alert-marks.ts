import type { Alert, Severity } from '@pulseboard/shared';
import { formatDateTime } from '../../time-format.ts';

/** Where alerts start and end on a time chart: pure, so the chart only draws what this returns. */

export interface AlertMark {
  key: string;
  t: number;
  edge: 'start' | 'end';
  severity: Severity;
  title: string;
}

/** Okabe-Ito, as the rest of the page: vermillion, orange, sky blue. */
export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#D55E00',
  warning: '#E69F00',
  info: '#56B4E9',
};

/**
 * Start (and end, once resolved) of every alert that fired, on the given services (null: any), inside the window.
 */
export function alertMarks(
  alerts: readonly Alert[] | null | undefined,
  window: { from: number; to: number },
  services: readonly string[] | null,
): AlertMark[] {
  const inside = (t: number) => t >= window.from && t <= window.to;
  const marks: AlertMark[] = [];
  for (const a of alerts ?? []) {
    if (a.firedAt === undefined) continue;
    if (services && !services.includes(a.service)) continue;
    const what = `${a.severity} alert "${a.ruleName}" on ${a.service}`;
    if (inside(a.startedAt)) {
      marks.push({
        key: `${a.id}-start`,
        t: a.startedAt,
        edge: 'start',
        severity: a.severity,
        title: `${what} started ${formatDateTime(a.startedAt)}: ${a.reason}`,
      });
    }
    if (a.resolvedAt !== undefined && inside(a.resolvedAt)) {
      marks.push({
        key: `${a.id}-end`,
        t: a.resolvedAt,
        edge: 'end',
        severity: a.severity,
        title: `${what} resolved ${formatDateTime(a.resolvedAt)}`,
      });
    }
  }
  return marks.sort((x, y) => x.t - y.t);
}
