import { type AnomalyCondition, signalFormat, type ThresholdCondition } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { absentDetector } from './absent.ts';
import { anomalyDetector, MIN_HISTORY_MS } from './anomaly.ts';
import { thresholdDetector } from './threshold.ts';
import type { SignalHistory } from './types.ts';

const HOUR = 3_600_000;

describe('threshold detector', () => {
  const condition: ThresholdCondition = { type: 'threshold', op: '>', value: 250, recovery: 200 };
  const judge = (value: number | null, active: boolean) =>
    thresholdDetector.evaluate({ condition, current: { value, count: 1 }, history: null, active, seen: true }).breach;

  it('trips above value and, once active, holds until below recovery (hysteresis)', () => {
    expect(judge(240, false)).toBe(false);
    expect(judge(260, false)).toBe(true);
    expect(judge(240, true)).toBe(true);
    expect(judge(201, true)).toBe(true);
    expect(judge(199, true)).toBe(false);
    expect(judge(null, true)).toBe(false);
  });

  it('works the other way round for <', () => {
    const below: ThresholdCondition = { type: 'threshold', op: '<', value: 10, recovery: 15 };
    const j = (value: number, active: boolean) =>
      thresholdDetector.evaluate({ condition: below, current: { value, count: 1 }, history: null, active, seen: true })
        .breach;
    expect([j(9, false), j(12, false), j(12, true), j(16, true)]).toEqual([true, false, true, false]);
  });

  it('explains itself with the numbers', () => {
    const verdict = thresholdDetector.evaluate({
      condition: { type: 'threshold', op: '>', value: 0.05, recovery: 0.04 },
      current: { value: 0.124, count: 500 },
      history: null,
      active: false,
      seen: true,
    });
    const reason = thresholdDetector.explain(
      { type: 'threshold', op: '>', value: 0.05, recovery: 0.04 },
      { verdict, signal: signalFormat('errorRate'), windowMs: 60_000, heldMs: 30_000, resolved: false },
    );
    expect(reason).toBe('error rate 12.4% is above 5% (resolves below 4%) over 1m for 30s');
  });
});

describe('anomaly detector', () => {
  const up: AnomalyCondition = { type: 'anomaly', sensitivity: 3, direction: 'up' };
  const steady = history(Array.from({ length: 60 }, (_, i) => 120 + ((i * 37) % 21) - 10));

  it('fires on a step well outside the learned band and says by how much', () => {
    const verdict = anomalyDetector.evaluate({
      condition: up,
      current: { value: 412, count: 900 },
      history: steady,
      active: false,
      seen: true,
    });
    expect(verdict.breach).toBe(true);
    expect(verdict.baseline!.center).toBeCloseTo(120, 0);
    expect(verdict.sigmas!).toBeGreaterThan(3);
    const reason = anomalyDetector.explain(up, {
      verdict,
      signal: signalFormat('p99'),
      windowMs: 60_000,
      heldMs: 120_000,
      resolved: false,
    });
    expect(reason).toMatch(/^p99 412 ms is \d+\.\d sigma above its baseline of 120 ms \(\+\/- [\d.]+ ms\) for 2m$/);
  });

  it('stays quiet inside the band, in the other direction, and until 10 minutes of history exist', () => {
    const judge = (value: number, condition: AnomalyCondition, h: SignalHistory) =>
      anomalyDetector.evaluate({ condition, current: { value, count: 1 }, history: h, active: false, seen: true });
    expect(judge(130, up, steady).breach).toBe(false);
    expect(judge(20, up, steady).breach).toBe(false);
    expect(judge(20, { ...up, direction: 'down' }, steady).breach).toBe(true);
    expect(judge(20, { ...up, direction: 'both' }, steady).breach).toBe(true);
    const young = { values: steady.values.slice(0, 9), coveredMs: MIN_HISTORY_MS - 60_000 };
    expect(judge(412, up, young)).toMatchObject({ breach: false, ready: false });
  });

  it('follows a slow drift without firing, and still catches a step on top of it', () => {
    // Per-minute values growing 0.3 % a minute (x2.4 over five hours) with +/-5 % noise; the baseline is
    // the trailing hour, as the server reads it.
    const series = Array.from({ length: 300 }, (_, i) => 100 * 1.003 ** i * (1 + 0.05 * Math.sin(i * 1.7)));
    let fired = 0;
    for (let i = 60; i < series.length; i++) {
      const verdict = anomalyDetector.evaluate({
        condition: up,
        current: { value: series[i]!, count: 1 },
        history: history(series.slice(i - 60, i)),
        active: false,
        seen: true,
      });
      if (verdict.breach) fired++;
    }
    expect(fired).toBe(0);
    const last = series.at(-1)!;
    const step = anomalyDetector.evaluate({
      condition: up,
      current: { value: last * 2, count: 1 },
      history: history(series.slice(-60)),
      active: false,
      seen: true,
    });
    expect(step.breach).toBe(true);
  });

  it('lets go only once back well inside the band (no flapping at the edge)', () => {
    const at = (value: number, active: boolean) =>
      anomalyDetector.evaluate({ condition: up, current: { value, count: 1 }, history: steady, active, seen: true });
    const edge = at(0, false).baseline!.high;
    expect(at(edge + 1, false).breach).toBe(true);
    expect(at(edge - 1, true).breach).toBe(true);
    expect(at(edge - 1, false).breach).toBe(false);
  });
});

describe('absent detector', () => {
  it('fires when a service that reported before has sent nothing over the window', () => {
    const judge = (count: number, seen: boolean) =>
      absentDetector.evaluate({
        condition: { type: 'absent' },
        current: { value: null, count },
        history: null,
        active: false,
        seen,
      }).breach;
    expect(judge(0, true)).toBe(true);
    expect(judge(3, true)).toBe(false);
    expect(judge(0, false)).toBe(false);
  });

  it("gives the signal's value, not a count in the signal's unit", () => {
    const verdict = absentDetector.evaluate({
      condition: { type: 'absent' },
      current: { value: 38.5, count: 2310 },
      history: null,
      active: true,
      seen: true,
    });
    expect(verdict.value).toBe(38.5);
  });
});

function history(values: number[]): SignalHistory {
  return { values, coveredMs: HOUR };
}
