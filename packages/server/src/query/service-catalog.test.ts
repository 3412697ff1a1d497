import { describe, expect, it } from 'vitest';
import type { ServiceRecord } from '../store/store.ts';
import { ServiceCatalog } from './service-catalog.ts';

/** A store's services table, counting reads; `gate` holds a read open until released. */
function table(rows: ServiceRecord[]) {
  const state = { reads: 0, gate: null as Promise<void> | null };
  const read = async () => {
    state.reads++;
    const snapshot = rows.map((r) => ({ ...r }));
    if (state.gate) await state.gate;
    return snapshot;
  };
  return { state, read };
}

describe('the service catalog', () => {
  it('reads the store once, then follows commits: new services, earlier first data, later last data', async () => {
    const { state, read } = table([{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }]);
    const catalog = new ServiceCatalog(read, () => 0);
    expect(await catalog.list()).toEqual([{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }]);
    catalog.seen(
      new Map([
        ['orders', { first: 2_000, last: 7_000 }],
        ['api', { first: 8_000, last: 12_000 }],
      ]),
    );
    expect(await catalog.list()).toEqual([
      { name: 'api', firstSeen: 8_000, lastSeen: 12_000 },
      { name: 'orders', firstSeen: 2_000, lastSeen: 9_000 },
    ]);
    expect(await catalog.get('api')).toEqual({ name: 'api', firstSeen: 8_000, lastSeen: 12_000 });
    expect(state.reads).toBe(1);
  });

  it('keeps a list it handed out unchanged by later commits', async () => {
    const { read } = table([{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }]);
    const catalog = new ServiceCatalog(read, () => 0);
    const before = await catalog.list();
    catalog.seen(new Map([['orders', { first: 1_000, last: 20_000 }]]));
    expect(before).toEqual([{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }]);
  });

  it('loses neither a commit nor a deletion that lands while the store is being read', async () => {
    const { state, read } = table([
      { name: 'orders', firstSeen: 5_000, lastSeen: 9_000 },
      { name: 'legacy', firstSeen: 1_000, lastSeen: 2_000 },
    ]);
    let release = () => {};
    state.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const catalog = new ServiceCatalog(read, () => 0);
    const first = catalog.list();
    const second = catalog.get('orders');
    catalog.seen(new Map([['payments', { first: 9_500, last: 9_900 }]]));
    catalog.forget('legacy');
    release();
    expect((await first).map((s) => s.name)).toEqual(['orders', 'payments']);
    expect(await second).toEqual({ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 });
    expect(state.reads).toBe(1);
  });

  it('forgets a deleted service', async () => {
    const { read } = table([{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }]);
    const catalog = new ServiceCatalog(read, () => 0);
    await catalog.list();
    catalog.forget('orders');
    expect(await catalog.list()).toEqual([]);
    expect(await catalog.get('orders')).toBeUndefined();
  });

  it('on a store other instances write, reads it again once the list is older than its age limit', async () => {
    const rows = [{ name: 'orders', firstSeen: 5_000, lastSeen: 9_000 }];
    const { state, read } = table(rows);
    let now = 0;
    const catalog = new ServiceCatalog(read, () => now, 1_000);
    await catalog.list();
    rows.push({ name: 'elsewhere', firstSeen: 9_000, lastSeen: 9_500 });
    now = 999;
    expect((await catalog.list()).map((s) => s.name)).toEqual(['orders']);
    now = 1_000;
    expect((await catalog.list()).map((s) => s.name)).toEqual(['elsewhere', 'orders']);
    expect(state.reads).toBe(2);
  });

  it('tries the store again after a failed read', async () => {
    let fail = true;
    const catalog = new ServiceCatalog(
      async () => {
        if (fail) throw new Error('connection lost');
        return [{ name: 'orders', firstSeen: 1, lastSeen: 2 }];
      },
      () => 0,
    );
    await expect(catalog.list()).rejects.toThrow('connection lost');
    fail = false;
    expect(await catalog.list()).toHaveLength(1);
  });
});
