import type { Rule } from '@pulseboard/shared';

/** A rule for tests: "slow checkout", p99 over 250 ms on a 1 s window, firing at once; `patch` changes it. */
export function testRule(patch: Partial<Rule> = {}): Rule {
  return {
    id: 'r1',
    name: 'slow checkout',
    enabled: true,
    service: 'checkout',
    signal: 'p99',
    condition: { type: 'threshold', op: '>', value: 250, recovery: 250 },
    window: '1s',
    for: '0s',
    keepFiringFor: '0s',
    severity: 'critical',
    notify: [],
    source: 'api',
    readOnly: false,
    ...patch,
  };
}
