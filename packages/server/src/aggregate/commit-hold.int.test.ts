import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleBatch } from '../model.ts';
import { startTestApp } from '../testing/test-app.ts';
import { Aggregator, HOLD_MS } from './aggregator.ts';

/** An aggregator on a test server's store (a real SQLite file) whose `moreComing` the test sets; it counts commits. */
async function holdingAggregator() {
  const handle = await startTestApp();
  const { store, registry } = handle.app.core;
  const state = { coming: false, commits: 0 };
  const aggregator = new Aggregator({
    store,
    registry,
    maxPendingObservations: 1_000_000,
    moreComing: () => state.coming,
    onCommitted: () => state.commits++,
  });
  return { close: () => handle.app.close(), aggregator, state };
}

describe('a commit while requests are still being decoded', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('waits for them, so requests sent together commit together', async () => {
    const held = await holdingAggregator();
    close = held.close;
    held.state.coming = true;
    const first = held.aggregator.submit(batch('a'));
    await nextTurn();
    await nextTurn();
    expect(held.state.commits).toBe(0);
    held.state.coming = false;
    const second = held.aggregator.submit(batch('b'));
    await expect(Promise.all([first, second])).resolves.toEqual([2, 2]);
    expect(held.state.commits).toBe(1);
  });

  it('waits at most HOLD_MS: a decode that never submits (a bad body) does not hold the commit', async () => {
    const held = await holdingAggregator();
    close = held.close;
    held.state.coming = true;
    const started = performance.now();
    await expect(held.aggregator.submit(batch('a'))).resolves.toBe(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(HOLD_MS - 1);
    expect(held.state.commits).toBe(1);
  });

  it('does not hold an explicit flush (shutdown, a service deleted)', async () => {
    const held = await holdingAggregator();
    close = held.close;
    held.state.coming = true;
    const first = held.aggregator.submit(batch('a'));
    await held.aggregator.flush();
    expect(held.state.commits).toBe(1);
    await expect(first).resolves.toBe(2);
  });
});

function batch(service: string): SampleBatch {
  const t = Date.now();
  return [
    {
      identity: { service, name: 'http.server.request.duration', kind: 'histogram', unit: 'ms', attributes: {} },
      timestamps: [t, t],
      values: [1, 2],
    },
  ];
}
