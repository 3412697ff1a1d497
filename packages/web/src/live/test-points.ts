import type { RedPoint } from '@pulseboard/shared';

/** Test data: a RED point of a 10 s bucket with every percentile at `p99` (error rate 0 when it had requests). */
export const redPoint = (
  t: number,
  count: number,
  p99: number | null,
  errorRate: number | null = count > 0 ? 0 : null,
): RedPoint => ({ t, rate: count / 10, errorRate, p50: p99, p95: p99, p99, count });
