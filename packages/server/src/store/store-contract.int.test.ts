import { afterEach, describe, expect, it } from 'vitest';
import { decodeSketch } from '../sketch/codec.ts';
import { collect } from '../testing/collect.ts';
import { RowsBuilder } from './rows.ts';
import { storeBackends, type TestDatabase } from './test-backends.ts';
import { checkoutSeries, encodedSketch } from './test-rows.ts';

const T = 1_800_000_000_000;
const TEN_S = 1;
const MINUTE = 2;
const HOUR = 3_600_000;

describe.each(await storeBackends("the store's contract on PostgreSQL"))('the store ($name)', (backend) => {
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of databases.splice(0)) await db.drop();
  });
  const open = async () => {
    const db = await backend.create();
    databases.push(db);
    return { ...(await db.open()), db };
  };

  it('writes nothing at all when a commit fails midway: no series, service, state or bucket of it', async () => {
    const { store } = await open();
    const appender = store.appender();
    appender.addSeries(checkoutSeries(1));
    appender.seeService('checkout', { first: T, last: T });
    appender.setCumulative({ key: checkoutSeries(1).key, start: T - 60_000, time: T, state: '{"sum":3}' });
    appender.markDirty(2, T);
    const rows = new RowsBuilder(4);
    rows.sample(TEN_S, 1, T, stats(3), encodedSketch(10, 20, 30));
    rows.red(TEN_S, 'checkout', '/pay', T, 3, 1, encodedSketch(10, 20, 30));
    // The last row is bad (NaN is stored as NULL, which the count column refuses): the commit fails there.
    rows.sample(TEN_S, 1, T + 10_000, stats(Number.NaN), null);
    appender.addRows(rows.finish());

    await expect(appender.commit()).rejects.toThrow(/NOT NULL|not-null/);
    expect(await collect(store.loadSeries())).toEqual([]);
    expect(await store.services()).toEqual([]);
    expect(await store.loadCumulativeState()).toEqual([]);
    expect(await store.loadDirty()).toEqual([]);
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
    expect(await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 })).toEqual([]);
  });

  it('shows nothing before the commit, then everything; two commits of one bucket add up', async () => {
    const { store } = await open();
    const first = store.appender();
    first.addSeries(checkoutSeries(1));
    first.seeService('checkout', { first: T, last: T + 900 });
    first.addRows(oneRequestRows(20, false));
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
    expect(await store.services()).toEqual([]);
    await first.commit();

    const second = store.appender();
    // A late commit holding older data widens both ends.
    second.seeService('checkout', { first: T - 10_000, last: T + 5_000 });
    second.addRows(oneRequestRows(500, true));
    await second.commit();

    const [bucket] = await store.readSamples(TEN_S, [1], 0, T * 2);
    expect(bucket).toMatchObject({ seriesId: 1, t: T, count: 2, sum: 520, min: 20, max: 500 });
    expect(decodeSketch(bucket!.sketch!).count).toBe(2);
    const [service] = await store.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 });
    expect(service).toMatchObject({ service: 'checkout', t: T, count: 2, errors: 1 });
    const [route] = await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 });
    // Requests without a route are stored and read back as route null.
    expect(route).toMatchObject({ service: 'checkout', route: null, count: 2, errors: 1 });
    expect(await store.services()).toEqual([{ name: 'checkout', firstSeen: T - 10_000, lastSeen: T + 5_000 }]);
  });

  it('is used once: a second commit is refused and writes nothing more', async () => {
    const { store } = await open();
    const appender = store.appender();
    appender.addSeries(checkoutSeries(1));
    appender.addRows(oneRequestRows(20, false));
    await appender.commit();
    await expect(appender.commit()).rejects.toThrow(/committed/);
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toHaveLength(1);
    expect((await store.readSamples(TEN_S, [1], 0, T * 2))[0]?.count).toBe(1);
  });

  it('keeps series, cumulative state, meta and dirty marks across a reopen, and forgets a deleted service', async () => {
    const { store, db } = await open();
    const appender = store.appender();
    appender.addSeries(checkoutSeries(1));
    appender.seeService('checkout', { first: T, last: T });
    appender.setCumulative({ key: checkoutSeries(1).key, start: T - 60_000, time: T - 1, state: '{"sum":1}' });
    // Of two states of one series in a commit, the later is kept.
    appender.setCumulative({ key: checkoutSeries(1).key, start: T - 60_000, time: T, state: '{"sum":3}' });
    // Twice in one commit, as when a group commit carries two requests into the same minute: one mark.
    appender.markDirty(MINUTE, T);
    appender.markDirty(MINUTE, T);
    appender.addRows(oneRequestRows(20, false));
    await appender.commit();
    await store.setMeta('tier-start', '42');
    await store.close();

    const { store: again } = await db.open();
    expect((await collect(again.loadSeries())).map((s) => [s.id, s.key, s.route])).toEqual([
      [1, checkoutSeries(1).key, '/pay'],
    ]);
    expect(await again.loadCumulativeState()).toEqual([
      { key: checkoutSeries(1).key, start: T - 60_000, time: T, state: '{"sum":3}' },
    ]);
    expect(await again.getMeta('tier-start')).toBe('42');
    expect(await again.getMeta('nope')).toBeNull();
    expect(await again.loadDirty()).toEqual([[MINUTE, T, 1]]);
    await again.markBuilt(MINUTE, T, 1);
    expect(await again.loadDirty()).toEqual([]);
    expect(await again.forgetCumulativeBefore(T - 1)).toBe(0);

    expect(await again.deleteService('checkout')).toBe(true);
    expect(await again.deleteService('checkout')).toBe(false);
    expect(await collect(again.loadSeries())).toEqual([]);
    expect(await again.loadCumulativeState()).toEqual([]);
    expect(await again.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
    expect(await again.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 })).toEqual([]);
    expect(await again.sizeBytes()).toBeGreaterThan(0);
  });

  it('rebuilds a minute from its 10 s buckets, replacing what was built before', async () => {
    const { store } = await open();
    const write = async (t: number, ms: number) => {
      const appender = store.appender();
      if (t === T) appender.addSeries(checkoutSeries(1));
      const rows = new RowsBuilder(4);
      rows.sample(TEN_S, 1, t, { count: 1, sum: ms, min: ms, max: ms, last: ms, lastT: t }, encodedSketch(ms));
      rows.red(TEN_S, 'checkout', '/pay', t, 1, 0, encodedSketch(ms));
      appender.addRows(rows.finish());
      await appender.commit();
    };
    await write(T, 20);
    await write(T + 10_000, 40);
    const build = async () => {
      await store.buildBuckets(MINUTE, T, T + 60_000, { kind: 'series', fromId: 0, toId: 500 });
      await store.buildBuckets(MINUTE, T, T + 60_000, { kind: 'red' });
    };
    await build();
    await write(T + 20_000, 60);
    await build();

    const [minute] = await store.readSamples(MINUTE, [1], T, T + 60_000);
    expect(minute).toMatchObject({ t: T, count: 3, sum: 120, min: 20, max: 60, last: 60, lastT: T + 20_000 });
    expect(decodeSketch(minute!.sketch!).count).toBe(3);
    const [route] = await store.readRed({ tier: MINUTE, services: ['checkout'], byRoute: true, from: T, to: T + 1 });
    expect(route).toMatchObject({ route: '/pay', count: 3 });
  });

  it('expires a tier before its cutoff and keeps the rest', async () => {
    const { store } = await open();
    const appender = store.appender();
    appender.addSeries(checkoutSeries(1));
    const rows = new RowsBuilder(4);
    for (const t of [T - 2 * HOUR, T]) {
      // The newer row has no sketch (a gauge's): stored and read back as none.
      rows.sample(
        TEN_S,
        1,
        t,
        { count: 1, sum: 5, min: 5, max: 5, last: 5, lastT: t },
        t < T ? encodedSketch(5) : null,
      );
      rows.red(0, 'checkout', undefined, t, 1, 0, encodedSketch(5));
    }
    appender.addRows(rows.finish());
    await appender.commit();

    expect(await store.expire(0, T - HOUR, [], ['checkout'])).toBe(1);
    expect(await store.expire(TEN_S, T - HOUR, [1], [])).toBe(1);
    expect((await store.readSamples(TEN_S, [1], 0, T * 2)).map((r) => [r.t, r.sketch])).toEqual([[T, null]]);
    expect(
      (await store.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 })).map((r) => r.t),
    ).toEqual([T]);
  });
});

function stats(count: number) {
  return { count, sum: 60, min: 10, max: 30, last: 30, lastT: T };
}

/** One request of `ms` for series 1, in its 10 s bucket, its service's 1 s rollup and its route-less route row. */
function oneRequestRows(ms: number, error: boolean) {
  const rows = new RowsBuilder(4);
  const sketch = encodedSketch(ms);
  rows.sample(TEN_S, 1, T, { count: 1, sum: ms, min: ms, max: ms, last: ms, lastT: T }, sketch);
  rows.red(0, 'checkout', undefined, T, 1, error ? 1 : 0, sketch);
  rows.red(TEN_S, 'checkout', null, T, 1, error ? 1 : 0, sketch);
  return rows.finish();
}
