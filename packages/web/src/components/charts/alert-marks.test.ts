import type { Alert } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { alertMarks } from './alert-marks.ts';

const alert = (id: string, patch: Partial<Alert>): Alert => ({
  id,
  ruleId: 'r',
  ruleName: 'Slow',
  service: 'a',
  state: 'resolved',
  severity: 'critical',
  signal: 'p99',
  value: 1,
  startedAt: 100,
  firedAt: 110,
  resolvedAt: 200,
  reason: 'p99 high',
  silenced: false,
  ...patch,
});

describe('alert marks', () => {
  it('marks start and end inside the window, for the shown services, of alerts that fired', () => {
    const alerts = [
      alert('both', {}),
      alert('ends-later', { startedAt: 150, resolvedAt: 900 }),
      alert('other-service', { service: 'b' }),
      alert('never-fired', { firedAt: undefined }),
      alert('open', { state: 'firing', resolvedAt: undefined, startedAt: 120 }),
    ];
    const marks = alertMarks(alerts, { from: 50, to: 500 }, ['a']);
    expect(marks.map((m) => m.key)).toEqual(['both-start', 'open-start', 'ends-later-start', 'both-end']);
    expect(marks[0]?.title).toMatch(/^critical alert "Slow" on a started .*: p99 high$/);
    expect(alertMarks(alerts, { from: 50, to: 500 }, null)).toHaveLength(6);
    expect(alertMarks(null, { from: 0, to: 1 }, null)).toEqual([]);
  });
});
