import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { parseView } from '../../state/view.ts';
import { RangePicker } from './RangePicker.tsx';

function setup() {
  const navigate = vi.fn();
  render(<RangePicker view={parseView('/', '?from=now-5m&to=now')} navigate={navigate} />);
  return { navigate, user: userEvent.setup() };
}

describe('RangePicker', () => {
  it('closes the custom range panel with Escape, a second tap on Custom, or a preset', async () => {
    const { user, navigate } = setup();
    const custom = screen.getByRole('button', { name: 'Custom' });
    await user.click(custom);
    await user.click(screen.getByLabelText('From'));
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'Custom time range' })).toBeNull();
    expect(document.activeElement).toBe(custom);
    await user.click(custom);
    expect(screen.getByRole('form', { name: 'Custom time range' })).toBeTruthy();
    await user.keyboard('{Escape}'); // the focus still on Custom
    expect(screen.queryByRole('form', { name: 'Custom time range' })).toBeNull();
    await user.click(custom);
    await user.click(custom);
    expect(screen.queryByRole('form', { name: 'Custom time range' })).toBeNull();
    await user.click(custom);
    await user.click(screen.getByRole('button', { name: '1h' }));
    expect(screen.queryByRole('form', { name: 'Custom time range' })).toBeNull();
    expect(navigate).toHaveBeenCalledWith({ from: 'now-1h', to: 'now' });
  });
});
