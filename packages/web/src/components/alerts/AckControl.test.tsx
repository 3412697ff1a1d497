import type { Alert, Role } from '@pulseboard/shared';
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { SessionContext } from '../../session/context.ts';
import { AckControl } from './AckControl.tsx';

const ALERT: Alert = {
  id: 'a1',
  ruleId: 'r1',
  ruleName: 'p99 high',
  service: 'checkout',
  state: 'firing',
  severity: 'critical',
  signal: 'p99',
  value: 900,
  startedAt: 0,
  reason: 'p99 900 ms over 250 ms',
  silenced: false,
};

function setup(role: Role, alert: Alert = ALERT) {
  render(
    <SessionContext.Provider value={{ session: { auth: true, role }, logOut: () => {} }}>
      <AckControl alert={alert} onAcked={() => {}} />
    </SessionContext.Provider>,
  );
}

describe('AckControl', () => {
  it('offers Acknowledge to an admin session', () => {
    setup('admin');
    expect(screen.getByRole('button', { name: 'Acknowledge p99 high on checkout' })).toBeTruthy();
  });

  it('hides it from a read-only session, which still sees who acknowledged', () => {
    setup('read');
    expect(screen.queryByRole('button')).toBeNull();
    setup('read', { ...ALERT, acknowledgedBy: 'alice (admin key "ops")', acknowledgedAt: 1 });
    expect(screen.getByText('Acknowledged by alice (admin key "ops")')).toBeTruthy();
  });
});
