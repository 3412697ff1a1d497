import { describe, expect, it } from 'vitest';
import { checkRule, parseSignal } from './alert-rules.ts';

const rule = {
  name: 'p99',
  service: '*',
  signal: 'p99',
  condition: { type: 'anomaly', sensitivity: 3 },
  window: '1m',
  severity: 'warning',
};

describe('checkRule', () => {
  it('fills in the contract defaults', () => {
    expect(checkRule(rule)).toEqual({
      ok: true,
      rule: {
        ...rule,
        enabled: true,
        condition: { type: 'anomaly', sensitivity: 3, direction: 'both' },
        for: '0s',
        keepFiringFor: '0s',
        notify: [],
      },
    });
  });

  it('names the field of the first problem', () => {
    const cases: [unknown, string][] = [
      [{ ...rule, name: undefined }, 'name'],
      [{ ...rule, window: '1w' }, 'window'],
      [{ ...rule, window: '0s' }, 'window'],
      [{ ...rule, for: 'soon' }, 'for'],
      [{ ...rule, severity: 'page' }, 'severity'],
      [{ ...rule, signal: 'p42' }, 'signal'],
      [{ ...rule, signal: 'metric:cpu:median' }, 'signal'],
      [{ ...rule, condition: { type: 'magic' } }, 'condition.type'],
      [{ ...rule, condition: { type: 'threshold', op: '>=', value: 1 } }, 'condition.op'],
      [{ ...rule, condition: { type: 'threshold', op: '<', value: 10, recovery: 5 } }, 'condition.recovery'],
      [{ ...rule, condition: { type: 'anomaly' } }, 'condition.sensitivity'],
      [{ ...rule, notify: [{ type: 'webhook', url: 'ftp://x' }] }, 'notify[0].url'],
      [{ ...rule, notify: [{ type: 'pager', url: 'http://x' }] }, 'notify[0].type'],
      [{ ...rule, colour: 'red' }, 'colour'],
      ['rule', 'body'],
    ];
    for (const [input, field] of cases) expect(checkRule(input)).toMatchObject({ ok: false, field });
  });

  it('refuses an error-rate threshold above 1 with a hint, and takes the fraction', () => {
    const threshold = (signal: string, value: number, recovery?: number) => ({
      ...rule,
      signal,
      condition: { type: 'threshold', op: '>', value, ...(recovery === undefined ? {} : { recovery }) },
    });
    expect(checkRule(threshold('errorRate', 2))).toEqual({
      ok: false,
      field: 'condition.value',
      message: 'must be a fraction from 0 to 1 (use 0.02 for 2 %)',
    });
    expect(checkRule(threshold('errorRate', 0.05, 3))).toMatchObject({ ok: false, field: 'condition.recovery' });
    expect(checkRule(threshold('metric:process.cpu.utilization:avg', 90))).toMatchObject({ ok: false });
    expect(checkRule(threshold('errorRate', 0.02))).toMatchObject({ ok: true });
    expect(checkRule(threshold('p99', 250))).toMatchObject({ ok: true });
  });
});

describe('parseSignal', () => {
  it('reads RED signals and metric:NAME:STAT, where NAME may hold colons', () => {
    expect(parseSignal('errorRate')).toEqual({ kind: 'red', name: 'errorRate' });
    expect(parseSignal('metric:db:pool:size:max')).toEqual({ kind: 'metric', metric: 'db:pool:size', stat: 'max' });
    expect(parseSignal('metric::avg')).toBeNull();
  });
});
