import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSeries } from '../aggregate/series-registry.ts';
import { type SeriesIdentity, seriesKey } from '../model.ts';
import { encodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import { collect } from '../testing/collect.ts';
import { RowsBuilder } from './rows.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const T = 1_800_000_000_000;
const TEN_S = 1;

describe("the store's appender", () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  const open = () => {
    const store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-appender-')), 'a.db'));
    stores.push(store);
    return store;
  };

  it('writes nothing at all when a commit fails midway: no series, service, state or bucket of it', async () => {
    const store = open();
    const appender = store.appender();
    appender.addSeries(series(1));
    appender.seeService('checkout', T);
    appender.setCumulative({ key: series(1).key, start: T - 60_000, time: T, state: '{"sum":3}' });
    appender.markDirty(2, T);
    const rows = new RowsBuilder(4);
    rows.sample(TEN_S, 1, T, stats(3), sketchOf(10, 20, 30));
    rows.red(TEN_S, 'checkout', '/pay', T, 3, 1, sketchOf(10, 20, 30));
    // The last row is bad (NaN is stored as NULL, which the count column refuses): the commit fails there.
    rows.sample(TEN_S, 1, T + 10_000, stats(Number.NaN), null);
    appender.addRows(rows.finish());

    await expect(appender.commit()).rejects.toThrow(/NOT NULL/);
    expect(await collect(store.loadSeries())).toEqual([]);
    expect(await store.services()).toEqual([]);
    expect(await store.loadCumulativeState()).toEqual([]);
    expect(await store.loadDirty()).toEqual([]);
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
    expect(await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 })).toEqual([]);
  });

  it('shows nothing before the commit, then everything; two commits of one bucket add up', async () => {
    const store = open();
    const first = store.appender();
    first.addSeries(series(1));
    first.seeService('checkout', T);
    first.addRows(oneRequestRows(20, false));
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toEqual([]);
    expect(await store.services()).toEqual([]);
    await first.commit();

    const second = store.appender();
    second.seeService('checkout', T + 5_000);
    second.addRows(oneRequestRows(500, true));
    await second.commit();

    const [bucket] = await store.readSamples(TEN_S, [1], 0, T * 2);
    expect(bucket).toMatchObject({ seriesId: 1, t: T, count: 2, sum: 520, min: 20, max: 500 });
    const [service] = await store.readRed({ tier: 0, services: ['checkout'], byRoute: false, from: 0, to: T * 2 });
    expect(service).toMatchObject({ service: 'checkout', t: T, count: 2, errors: 1 });
    const [route] = await store.readRed({ tier: TEN_S, services: ['checkout'], byRoute: true, from: 0, to: T * 2 });
    // Requests without a route are stored and read back as route null.
    expect(route).toMatchObject({ service: 'checkout', route: null, count: 2, errors: 1 });
    expect(await store.services()).toEqual([{ name: 'checkout', firstSeen: T, lastSeen: T + 5_000 }]);
  });

  it('is used once: a second commit is refused and writes nothing more', async () => {
    const store = open();
    const appender = store.appender();
    appender.addSeries(series(1));
    appender.addRows(oneRequestRows(20, false));
    await appender.commit();
    await expect(appender.commit()).rejects.toThrow(/committed/);
    expect(await store.readSamples(TEN_S, [1], 0, T * 2)).toHaveLength(1);
    expect((await store.readSamples(TEN_S, [1], 0, T * 2))[0]?.count).toBe(1);
  });
});

function series(id: number) {
  const identity: SeriesIdentity = {
    service: 'checkout',
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: { 'http.route': '/pay' },
  };
  return describeSeries(id, seriesKey(identity), identity);
}

function stats(count: number) {
  return { count, sum: 60, min: 10, max: 30, last: 30, lastT: T };
}

function sketchOf(...values: number[]): Buffer {
  const sketch = new Sketch();
  for (const v of values) sketch.add(v);
  return encodeSketch(sketch);
}

/** One request of `ms` for series 1, in its 10 s bucket, its service's 1 s rollup and its route-less route row. */
function oneRequestRows(ms: number, error: boolean) {
  const rows = new RowsBuilder(4);
  const sketch = sketchOf(ms);
  rows.sample(TEN_S, 1, T, { count: 1, sum: ms, min: ms, max: ms, last: ms, lastT: T }, sketch);
  rows.red(0, 'checkout', undefined, T, 1, error ? 1 : 0, sketch);
  rows.red(TEN_S, 'checkout', null, T, 1, error ? 1 : 0, sketch);
  return rows.finish();
}
