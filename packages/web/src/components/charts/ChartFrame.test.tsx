import { render, screen } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ChartFrame, type FrameQuery } from './ChartFrame.tsx';

function setup(query: Partial<FrameQuery>, empty = false) {
  const retry = vi.fn();
  const view = render(
    <ChartFrame
      title="Throughput"
      testId="frame"
      query={{ status: 'ready', error: null, retry, ...query }}
      empty={empty}
    >
      <p>the chart</p>
    </ChartFrame>,
  );
  return { retry, frame: view.getByTestId('frame') };
}

describe('ChartFrame', () => {
  it('shows a skeleton while loading', () => {
    const { frame } = setup({ status: 'loading' });
    expect(frame.dataset.state).toBe('loading');
    expect(screen.getByRole('status', { name: 'Loading' })).toBeTruthy();
    expect(screen.queryByText('the chart')).toBeNull();
  });

  it('says so when the range has no data', () => {
    const { frame } = setup({}, true);
    expect(frame.dataset.state).toBe('empty');
    expect(screen.getByText('No data in this range')).toBeTruthy();
  });

  it('shows the error with a retry button that retries', async () => {
    const { retry } = setup({ status: 'error', error: new Error('server said no') });
    expect(screen.getByRole('alert').textContent).toContain('server said no');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledOnce();
  });

  it('draws the chart under a labelled heading when ready', () => {
    setup({});
    expect(screen.getByText('the chart')).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Throughput' })).toBeTruthy();
  });
});
