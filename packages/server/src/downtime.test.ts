import { describe, expect, it } from 'vitest';
import { Downtime } from './downtime.ts';
import { MetaWriter } from './store/meta-writer.ts';

/** A meta store in memory, and a Downtime started on it at `at`. */
async function startAt(values: Map<string, string>, at: number, keepMs = 86_400_000) {
  const store = {
    getMeta: async (key: string) => values.get(key) ?? null,
    setMeta: async (key: string, value: string) => void values.set(key, value),
  };
  const meta = new MetaWriter(store, (error) => {
    throw error;
  });
  const downtime = await Downtime.start(store, meta, () => at, keepMs);
  await meta.settled();
  return { downtime, meta };
}

describe('Downtime', () => {
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
