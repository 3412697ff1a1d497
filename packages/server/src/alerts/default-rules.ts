import type { Rule } from '@pulseboard/shared';

const base: Pick<Rule, 'enabled' | 'service' | 'notify' | 'source' | 'readOnly'> = {
  enabled: true,
  service: '*',
  notify: [],
  source: 'default',
  readOnly: true,
};

/**
 * What every service gets without configuration (`--no-default-rules` turns them off). Tuned with
 * `bench/alerts.ts` on a simulated week of demo traffic: windows short enough to fire within a minute of
 * an incident, `for` and hysteresis long enough that noise and traffic spikes do not page anyone.
 */
export const DEFAULT_RULES: readonly Rule[] = [
  {
    ...base,
    id: 'default-error-rate',
    name: 'Error rate over 5%',
    signal: 'errorRate',
    condition: { type: 'threshold', op: '>', value: 0.05, recovery: 0.03 },
    window: '1m',
    for: '0s',
    keepFiringFor: '1m',
    severity: 'critical',
  },
  {
    ...base,
    id: 'default-p99-anomaly',
    name: 'p99 latency anomaly',
    signal: 'p99',
    condition: { type: 'anomaly', sensitivity: 5, direction: 'up' },
    window: '1m',
    for: '20s',
    keepFiringFor: '1m',
    severity: 'warning',
  },
  {
    ...base,
    id: 'default-traffic-anomaly',
    name: 'Traffic anomaly',
    signal: 'rate',
    // Down only: a drop is an outage somewhere; surges (the demo's spikes, a marketing email) are not.
    condition: { type: 'anomaly', sensitivity: 4, direction: 'down' },
    window: '1m',
    for: '20s',
    keepFiringFor: '1m',
    severity: 'warning',
  },
  {
    ...base,
    id: 'default-no-data',
    name: 'No data for 60 s',
    signal: 'rate',
    condition: { type: 'absent' },
    window: '60s',
    for: '0s',
    keepFiringFor: '0s',
    severity: 'critical',
  },
  {
    ...base,
    id: 'default-cpu',
    name: 'CPU over 90%',
    signal: 'metric:process.cpu.utilization:avg',
    condition: { type: 'threshold', op: '>', value: 0.9, recovery: 0.8 },
    window: '30s',
    for: '0s',
    keepFiringFor: '1m',
    severity: 'warning',
  },
];
