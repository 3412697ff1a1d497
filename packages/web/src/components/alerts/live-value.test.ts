import { describe, expect, it } from 'vitest';
import { liveSignalValue } from './live-value.ts';

const stats = { rate: 12, errorRate: 0.5, p50: 10, p95: 20, p99: 30, count: 12, cpu: 0.4, memory: 1e9 };

describe('live alert values', () => {
  it('reads the signals frames carry', () => {
    expect(liveSignalValue('p99', stats)).toBe(30);
    expect(liveSignalValue('errorRate', stats)).toBe(0.5);
    expect(liveSignalValue('rate', stats)).toBe(12);
    expect(liveSignalValue('metric:process.cpu.utilization:avg', stats)).toBe(0.4);
    expect(liveSignalValue('metric:process.memory.usage:avg', stats)).toBe(1e9);
  });

  it('has no value for a second without data, and none at all for other signals', () => {
    expect(liveSignalValue('p99', undefined)).toBeNull();
    expect(liveSignalValue('metric:queue.depth:max', stats)).toBeUndefined();
    expect(liveSignalValue('metric:process.cpu.utilization:max', stats)).toBeUndefined();
  });
});
