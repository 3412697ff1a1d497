import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ServiceFilter } from './ServiceFilter.tsx';

function setup(selected: string[] = []) {
  const all = Array.from({ length: 500 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const onChange = vi.fn();
  render(<ServiceFilter all={all} selected={selected} onChange={onChange} />);
  return { onChange, user: userEvent.setup() };
}

describe('ServiceFilter', () => {
  it('stays usable with hundreds of services: renders a page of them and narrows by search', async () => {
    const { user } = setup();
    await user.click(screen.getByRole('button', { name: 'Services: All services' }));
    expect(screen.getAllByRole('checkbox')).toHaveLength(100);
    expect(screen.getByText('400 more: type to narrow the list.')).toBeTruthy();
    await user.type(screen.getByRole('searchbox', { name: 'Search services' }), '49');
    expect(screen.getAllByRole('checkbox').map((c) => c.parentElement?.textContent)).toContain('svc-249');
  });

  it('toggles services with the keyboard', async () => {
    const { user, onChange } = setup(['svc-001']);
    await user.click(screen.getByRole('button', { name: 'Services: svc-001' }));
    await user.keyboard('{ArrowDown}{ArrowDown}');
    await user.keyboard(' ');
    expect(onChange).toHaveBeenLastCalledWith([]);
    await user.keyboard('{ArrowDown} ');
    expect(onChange).toHaveBeenLastCalledWith(['svc-001', 'svc-002']);
  });
});
