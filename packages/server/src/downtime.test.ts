import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALIVE_EVERY_MS, Downtime } from './downtime.ts';
import { MetaWriter } from './store/meta-writer.ts';

/** A meta store in memory, and a Downtime started on it at `at`. */
async function startAt(values: Map<string, string>, at: number, keepMs = 86_400_000, shared = false) {
  const store = {
    getMeta: async (key: string) => values.get(key) ?? null,
    setMeta: async (key: string, value: string) => void values.set(key, value),
  };
  const meta = new MetaWriter(store, (error) => {
    throw error;
  });
  const downtime = await Downtime.start(store, meta, () => at, keepMs, shared);
  await meta.settled();
  return { downtime, meta };
}

describe('Downtime', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('knows the time between the last note of being up and the next start, stop after stop', async () => {
    const values = new Map<string, string>();
    const first = await startAt(values, 1_000_000);
    expect(first.downtime.coversAll(0, 1_000_000)).toBe(false); // a first start knows of no stop
    first.downtime.stop();
    await first.meta.settled();
    const second = await startAt(values, 1_600_000);
    second.downtime.stop();
    await second.meta.settled();
    const { downtime } = await startAt(values, 2_000_000);
    downtime.stop();
    expect(downtime.coversAll(1_000_000, 1_600_000)).toBe(true);
    expect(downtime.coversAll(1_100_000, 1_200_000)).toBe(true);
    expect(downtime.coversAll(1_500_000, 1_700_000)).toBe(false); // runs past the stop into uptime
    expect(downtime.coversAll(1_700_000, 2_000_000)).toBe(true);
    expect(downtime.coversAll(900_000, 1_100_000)).toBe(false);
    expect(downtime.overlapMs(900_000, 1_800_000)).toBe(600_000 + 200_000);
  });

  it('with a shared store, counts a stop only when no instance noted being up for longer than a few notes', async () => {
    const values = new Map<string, string>();
    const first = await startAt(values, 1_000_000, undefined, true);
    first.downtime.stop();
    await first.meta.settled();
    // Another instance noted being up 8 s before this one started: it was running, no outage.
    values.set('alive_at', String(1_992_000));
    const restarted = await startAt(values, 2_000_000, undefined, true);
    restarted.downtime.stop();
    expect(restarted.downtime.overlapMs(0, 3_000_000)).toBe(0);
    // None had for 60 s: all were down.
    values.set('alive_at', String(2_940_000));
    const afterAll = await startAt(values, 3_000_000, undefined, true);
    afterAll.downtime.stop();
    expect(afterAll.downtime.coversAll(2_940_000, 3_000_000)).toBe(true);
    expect(values.get('stopped')).toBe('[[2940000,3000000]]');
  });

  it('with a shared store, instances starting together each learn the stop the other noted', async () => {
    vi.useFakeTimers();
    const values = new Map([['alive_at', '1000000']]);
    // Both read the store before either writes: each notes its own stop, the later write wins.
    const [a, b] = await Promise.all([
      startAt(values, 1_600_000, undefined, true),
      startAt(values, 1_600_500, undefined, true),
    ]);
    for (let i = 0; i < 2; i++) {
      await vi.advanceTimersByTimeAsync(ALIVE_EVERY_MS);
      await Promise.all([a.meta.settled(), b.meta.settled()]);
    }
    for (const { downtime } of [a, b]) expect(downtime.coversAll(1_000_000, 1_600_500)).toBe(true);
    expect(values.get('stopped')).toBe('[[1000000,1600500]]');
    a.downtime.stop();
    b.downtime.stop();
  });

  it('joins overlapping stops (two instances starting together each noted one)', async () => {
    const values = new Map([
      ['alive_at', '5000000'],
      ['stopped', '[[4000000, 5000100], [100, 200], [4500000, 4600000]]'],
    ]);
    const { downtime } = await startAt(values, 5_000_200);
    downtime.stop();
    expect(values.get('stopped')).toBe('[[100,200],[4000000,5000200]]');
    expect(downtime.overlapMs(0, 6_000_000)).toBe(100 + 1_000_200);
  });

  it('forgets stops older than it keeps, and ignores a value it cannot read', async () => {
    const values = new Map([
      ['alive_at', '5000000'],
      ['stopped', '[[100, 200], "junk", [300, 250]]'],
    ]);
    const { downtime } = await startAt(values, 6_000_000, 2_000_000);
    downtime.stop();
    expect(downtime.coversAll(100, 200)).toBe(false);
    expect(downtime.coversAll(5_000_000, 6_000_000)).toBe(true);
    values.set('stopped', '{not json');
    const again = await startAt(values, 6_000_000);
    again.downtime.stop();
    expect(again.downtime.coversAll(5_000_000, 6_000_000)).toBe(false);
  });
});
