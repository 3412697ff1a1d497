import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useCanChange } from './context.ts';
import { LogOutButton } from './LogOutButton.tsx';
import { SessionGate } from './SessionGate.tsx';

function Probe() {
  return (
    <p>
      dashboard {useCanChange() ? 'can change' : 'read-only'} <LogOutButton />
    </p>
  );
}

/** A fake server: `GET /api/v1/session` answers `session`; logins with `good` succeed as `role`. */
function setup(session: object, login: { good: string; role: 'read' | 'admin' }) {
  const fetch = vi.fn(async (_path: string, init?: RequestInit) => {
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status });
    if (init?.method === 'POST') {
      const { key } = JSON.parse(String(init.body)) as { key: string };
      if (key === login.good) return json(200, { auth: true, role: login.role });
      return json(401, { code: 'PULSE_ERR_UNAUTHORIZED', message: 'key: not a valid key' });
    }
    if (init?.method === 'DELETE') return new Response(null, { status: 204 });
    return json(200, session);
  });
  vi.stubGlobal('fetch', fetch);
  render(
    <SessionGate>
      <Probe />
    </SessionGate>,
  );
  return { fetch, user: userEvent.setup() };
}

afterEach(() => vi.unstubAllGlobals());

describe('SessionGate', () => {
  it('shows the dashboard at once when the server has no keys, with changes allowed and no log out', async () => {
    setup({ auth: false, role: 'admin' }, { good: 'x', role: 'admin' });
    expect((await screen.findByText(/dashboard/)).textContent).toMatch(/can change/);
    expect(screen.queryByRole('button', { name: 'Log out' })).toBeNull();
  });

  it('asks for a key, shows a wrong one refused, opens a read-only dashboard, and logs out', async () => {
    const { user, fetch } = setup({ auth: true, role: null }, { good: 'read-key-0123456789', role: 'read' });
    await user.type(await screen.findByLabelText('Key'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('key: not a valid key');
    await user.clear(screen.getByLabelText('Key'));
    await user.type(screen.getByLabelText('Key'), 'read-key-0123456789');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByText(/dashboard/)).textContent).toMatch(/read-only/);
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    expect(await screen.findByLabelText('Key')).toBeTruthy();
    expect(fetch).toHaveBeenLastCalledWith('/api/v1/session', expect.objectContaining({ method: 'DELETE' }));
  });
});
