import type { Alert } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { alertRange, applyLiveAlert, countFiring, mergeAlerts, orderAlerts, timeSince } from './alert-list.ts';

const alert = (id: string, patch: Partial<Alert>): Alert => ({
  id,
  ruleId: 'r',
  ruleName: 'Rule',
  service: 'checkout',
  state: 'firing',
  severity: 'warning',
  signal: 'p99',
  value: 1,
  startedAt: 1000,
  firedAt: 1000,
  reason: 'why',
  silenced: false,
  ...patch,
});

describe('alert panel order', () => {
  it('puts firing first by severity, then pending, then the most recently resolved', () => {
    const list = [
      alert('resolved-old', { state: 'resolved', resolvedAt: 5000 }),
      alert('pending', { state: 'pending', firedAt: undefined, severity: 'critical' }),
      alert('firing-info', { severity: 'info' }),
      alert('resolved-new', { state: 'resolved', resolvedAt: 9000 }),
      alert('firing-critical', { severity: 'critical' }),
      alert('firing-warning-new', { firedAt: 3000 }),
      alert('firing-warning-old', { firedAt: 2000 }),
    ];
    expect(orderAlerts(list).map((a) => a.id)).toEqual([
      'firing-critical',
      'firing-warning-new',
      'firing-warning-old',
      'firing-info',
      'pending',
      'resolved-new',
      'resolved-old',
    ]);
  });

  it('leaves out episodes that resolved without firing, and keeps to the limit', () => {
    const list = [alert('never', { state: 'resolved', firedAt: undefined, resolvedAt: 9 }), alert('a', {})];
    expect(orderAlerts(list).map((a) => a.id)).toEqual(['a']);
    expect(orderAlerts([alert('a', {}), alert('b', {})], 1)).toHaveLength(1);
  });

  it('counts firing alerts only, of the shown services', () => {
    expect(countFiring(null, null)).toBeNull();
    const list = [alert('a', {}), alert('b', { state: 'pending' }), alert('c', { state: 'resolved' })];
    expect(countFiring(list, null)).toBe(1);
    expect(countFiring([...list, alert('d', { service: 'cart' })], ['cart'])).toBe(1);
    expect(countFiring(list, ['cart'])).toBe(0);
  });
});

describe('live alerts', () => {
  it('adds and replaces alerts; a pending one that resolves unfired disappears', () => {
    const loaded = [alert('p', { state: 'pending', firedAt: undefined }), alert('f', {})];
    let pushed = applyLiveAlert(new Map(), alert('n', { severity: 'critical' }));
    pushed = applyLiveAlert(pushed, alert('p', { state: 'resolved', firedAt: undefined, resolvedAt: 2000 }));
    pushed = applyLiveAlert(pushed, alert('f', { state: 'resolved', resolvedAt: 3000 }));
    const merged = mergeAlerts(loaded, pushed);
    expect(merged.map((a) => [a.id, a.state])).toEqual([
      ['f', 'resolved'],
      ['n', 'firing'],
    ]);
  });
});

describe('time since', () => {
  it('reads in the largest whole unit', () => {
    const now = 1_000_000_000;
    expect(timeSince(now - 2000, now)).toBe('just now');
    expect(timeSince(now - 42_000, now)).toBe('42s ago');
    expect(timeSince(now - 3 * 60_000 - 5000, now)).toBe('3m ago');
    expect(timeSince(now - 2 * 3_600_000, now)).toBe('2h ago');
    expect(timeSince(now - 5 * 86_400_000, now)).toBe('5d ago');
  });
});

describe('alert range', () => {
  it('spans 15 minutes before the start to 5 minutes after the end', () => {
    const start = 10_000_000;
    expect(alertRange(alert('a', { startedAt: start, resolvedAt: start + 60_000 }), start + 3_600_000)).toEqual({
      from: String(start - 900_000),
      to: String(start + 360_000),
    });
  });

  it('is live, never ending in the future, while the alert is open or just resolved', () => {
    const start = 10_000_000;
    expect(alertRange(alert('a', { startedAt: start }), start + 8 * 60_000 + 1000)).toEqual({
      from: 'now-24m',
      to: 'now',
    });
    expect(alertRange(alert('a', { startedAt: start, resolvedAt: start + 60_000 }), start + 120_000)).toEqual({
      from: 'now-17m',
      to: 'now',
    });
  });
});
