import type { Rule } from '@pulseboard/shared';
import { describe, expect, it } from 'vitest';
import { checkForm, conditionSummary, EMPTY_FORM, ruleToForm, serverFieldError, thresholdHint } from './rule-form.ts';

const valid = { ...EMPTY_FORM, name: 'Slow', value: '250' };

describe('rule form checks', () => {
  const fields = (form: typeof valid) => {
    const result = checkForm(form);
    return result.ok ? {} : result.errors;
  };

  it('names the field of each problem, in the shared check’s words', () => {
    expect(fields({ ...valid, name: '' })).toEqual({ name: 'is required' });
    expect(fields({ ...valid, value: '' })).toEqual({ 'condition.value': 'is required' });
    expect(Object.keys(fields({ ...valid, value: 'abc' }))).toEqual(['condition.value']);
    expect(fields({ ...valid, window: '5 minutes' })).toEqual({ window: 'must be a duration like 30s, 5m, 1h or 1d' });
    expect(Object.keys(fields({ ...valid, recovery: '300' }))).toEqual(['condition.recovery']);
    expect(Object.keys(fields({ ...valid, signal: 'p42' }))).toEqual(['signal']);
    expect(Object.keys(fields({ ...valid, type: 'anomaly', sensitivity: '0' }))).toEqual(['condition.sensitivity']);
  });

  it('finds every bad field at once, not only the first', () => {
    const errors = fields({ ...EMPTY_FORM, window: 'soon', signal: '' });
    expect(Object.keys(errors).sort()).toEqual(['condition.value', 'name', 'signal', 'window']);
  });

  it('builds the rule the API takes', () => {
    const result = checkForm({ ...valid, for: '', recovery: '200' });
    expect(result).toEqual({
      ok: true,
      input: {
        name: 'Slow',
        enabled: true,
        service: '*',
        signal: 'p99',
        condition: { type: 'threshold', op: '>', value: 250, recovery: 200 },
        window: '1m',
        keepFiringFor: '0s',
        severity: 'warning',
        notify: [],
      },
    });
    expect(checkForm({ ...valid, type: 'absent' })).toMatchObject({
      ok: true,
      input: { condition: { type: 'absent' } },
    });
  });

  it('round-trips a stored rule', () => {
    const rule: Rule = {
      id: 'r1',
      name: 'CPU',
      enabled: false,
      service: 'checkout',
      signal: 'metric:process.cpu.utilization:avg',
      condition: { type: 'threshold', op: '>', value: 0.9, recovery: 0.9 },
      window: '30s',
      for: '10s',
      keepFiringFor: '0s',
      severity: 'critical',
      notify: [],
      source: 'api',
      readOnly: false,
    };
    const form = ruleToForm(rule);
    expect(form).toMatchObject({ value: '0.9', recovery: '', enabled: false, for: '10s' });
    expect(checkForm(form)).toMatchObject({ ok: true, input: { condition: { value: 0.9 }, service: 'checkout' } });
    expect(conditionSummary(rule)).toBe('> 90% over 30s, for 10s');
  });

  it('shows thresholds in the signal unit', () => {
    const base = {
      condition: { type: 'threshold', op: '>', value: 250, recovery: 200 },
      window: '1m',
      for: '0s',
    } as const;
    expect(conditionSummary({ ...base, signal: 'p99' })).toBe('> 250 ms (recovers at 200 ms) over 1m');
    expect(
      conditionSummary({ ...base, signal: 'errorRate', condition: { type: 'threshold', op: '>', value: 0.05 } }),
    ).toBe('> 5% over 1m');
  });

  it('says what a threshold is typed in, and how an error rate reads', () => {
    expect(thresholdHint('p99', '250')).toBe('in ms');
    expect(thresholdHint('errorRate', '2')).toBe('a fraction: 0.02 for 2 %, = 200%');
    expect(thresholdHint('errorRate', '')).toBe('a fraction: 0.02 for 2 %');
    expect(thresholdHint('metric:queue.depth:max', '3')).toBeUndefined();
  });

  it('refuses an error rate typed as a percentage, as the server does', () => {
    expect(checkForm({ ...valid, signal: 'errorRate', value: '2' })).toEqual({
      ok: false,
      errors: { 'condition.value': 'must be a fraction from 0 to 1 (use 0.02 for 2 %)' },
    });
  });
});

describe('server errors', () => {
  it('maps a 400 message to the field it names, else to the whole form', () => {
    expect(serverFieldError('signal: nope is a gauge; its stats are avg')).toEqual({
      field: 'signal',
      message: 'nope is a gauge; its stats are avg',
    });
    expect(serverFieldError('id: rule x is read-only')).toEqual({ field: 'form', message: 'id: rule x is read-only' });
    expect(serverFieldError('the server did not answer')).toMatchObject({ field: 'form' });
  });
});
