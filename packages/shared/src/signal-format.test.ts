import { describe, expect, it } from 'vitest';
import { formatNumber, signalFormat } from './signal-format.ts';

describe('signal format', () => {
  it('prints each signal in its unit', () => {
    expect(signalFormat('p99').format(1266.64)).toBe('1267 ms');
    expect(signalFormat('errorRate').format(0.05)).toBe('5%');
    expect(signalFormat('rate').format(42.123)).toBe('42.1 req/s');
    expect(signalFormat('metric:process.cpu.utilization:avg').format(0.873)).toBe('87.3%');
    expect(signalFormat('metric:queue.depth:max').format(12)).toBe('12');
  });

  it('says what a threshold is typed in', () => {
    expect(signalFormat('errorRate').unit).toBe('fraction');
    expect(signalFormat('p95').unit).toBe('ms');
    expect(signalFormat('metric:process.cpu.utilization:count').unit).toBe('');
  });

  it('keeps three significant digits', () => {
    expect(formatNumber(286.028)).toBe('286');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(0)).toBe('0');
  });
});
