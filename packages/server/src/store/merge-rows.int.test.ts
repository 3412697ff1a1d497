import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RED_METRIC, ROUTE_ATTR, STATUS_ATTR } from '@pulseboard/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Aggregator } from '../aggregate/aggregator.ts';
import { SeriesRegistry } from '../aggregate/series-registry.ts';
import type { SampleBatch, SeriesIdentity } from '../model.ts';
import { decodeSketch } from '../sketch/codec.ts';
import { collect } from '../testing/collect.ts';
import { type PackedRows, SAMPLE_WIDTH } from './rows.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const T = 1_800_000_000_000;
const SERVICE = 'checkout';
const QUANTILES = [0.5, 0.9, 0.99];

describe('requests merged into one commit', () => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('store the same counts, extremes, newest values and percentiles as the same requests committed one by one', async () => {
    const requests = Array.from({ length: 8 }, (_, i) => request(i));

    const oneByOne = await open(stores);
    for (const batch of requests) await oneByOne.aggregator.submit(batch);
    expect(oneByOne.commits()).toBe(requests.length);

    const merged = await open(stores);
    await Promise.all(requests.map((batch) => merged.aggregator.submit(batch)));
    expect(merged.commits()).toBe(1);

    expect(await contents(merged.store)).toEqual(await contents(oneByOne.store));
    // Not vacuous: both stored every request, and buckets were shared across requests.
    const all = await oneByOne.store.readRed({ tier: 1, services: [SERVICE], byRoute: false, from: 0, to: T * 2 });
    expect(all.reduce((n, row) => n + row.count, 0)).toBe(requests.length * 60);
    expect(all.length).toBeLessThan(requests.length);
  });
});

describe('a failed commit of merged requests', () => {
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
  });

  it('rejects exactly the requests merged into it and writes nothing of them; the next commit stores', async () => {
    const { store, aggregator, failNextCommit } = await open(stores);
    failNextCommit();
    const merged = [request(0), request(1)].map((batch) => aggregator.submit(batch));
    await expect(merged[0]).rejects.toThrow(/NOT NULL/);
    await expect(merged[1]).rejects.toThrow(/NOT NULL/);
    expect(await collect(store.loadSeries())).toEqual([]);
    expect(await store.services()).toEqual([]);

    await expect(aggregator.submit(request(2))).resolves.toBe(65);
    const red = await store.readRed({ tier: 1, services: [SERVICE], byRoute: false, from: 0, to: T * 2 });
    expect(red.reduce((n, row) => n + row.count, 0)).toBe(60);
  });
});

/** A store on a fresh file, its aggregator, how many commits it made, and a way to make the next one fail. */
async function open(stores: Store[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-merge-rows-'));
  const store = openSqliteStore(path.join(dir, 'a.db'));
  stores.push(store);
  const registry = await SeriesRegistry.load(store.loadSeries(), {
    maxSeries: 1000,
    maxServices: 10,
    maxSeriesPerService: 1000,
    maxSeriesBytes: 10_000,
  });
  let commits = 0;
  let fail = false;
  // The commit fails inside the store's transaction, after every row was written to it.
  const failing: Store = {
    ...store,
    appender() {
      const inner = store.appender();
      if (!fail) return inner;
      fail = false;
      return { ...inner, addRows: (rows) => inner.addRows({ ...rows, samples: rows.samples.map(refused) }) };
    },
  };
  const aggregator = new Aggregator({
    store: failing,
    registry,
    maxPendingObservations: 1_000_000,
    onCommitted: () => void commits++,
  });
  return { store, aggregator, commits: () => commits, failNextCommit: () => void (fail = true) };
}

/**
 * Request i of a service: 60 request durations over two routes (some errors) and 5 gauge values, spread
 * over ~25 s that overlap the previous requests' (so 1 s and 10 s buckets are shared), from a seeded random.
 */
function request(i: number): SampleBatch {
  let state = 7 + i;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const identity = (route: string, status: number): SeriesIdentity => ({
    service: SERVICE,
    name: RED_METRIC,
    kind: 'histogram',
    unit: 's',
    attributes: { [ROUTE_ATTR]: route, [STATUS_ATTR]: String(status) },
  });
  const byRoute = new Map<string, { identity: SeriesIdentity; timestamps: number[]; values: number[] }>();
  for (let k = 0; k < 60; k++) {
    const route = k % 2 === 0 ? '/pay' : '/cart';
    const status = random() < 0.1 ? 500 : 200;
    const key = `${route} ${status}`;
    let series = byRoute.get(key);
    if (!series) byRoute.set(key, (series = { identity: identity(route, status), timestamps: [], values: [] }));
    series.timestamps.push(T + i * 3000 + Math.floor(random() * 25_000));
    series.values.push(Math.exp(random() * 6 - 3));
  }
  const gauge = {
    identity: { service: SERVICE, name: 'queue.depth', kind: 'gauge', unit: '1', attributes: {} } as SeriesIdentity,
    timestamps: Array.from({ length: 5 }, (_, k) => T + i * 3000 + k * 5000),
    values: Array.from({ length: 5 }, () => Math.round(random() * 100)),
  };
  return [...byRoute.values(), gauge];
}

/** A block of sample rows whose last row has a NaN count, which the store refuses (NOT NULL). */
function refused(block: PackedRows): PackedRows {
  const columns = Float64Array.from(block.columns);
  if (columns.length > 0) columns[columns.length - SAMPLE_WIDTH + 2] = Number.NaN;
  return { ...block, columns };
}

/** Every stored bucket of the service, with its sketch read as its count and percentiles. */
async function contents(store: Store) {
  const sketch = (bytes: Buffer | null) => {
    if (!bytes) return null;
    const s = decodeSketch(bytes);
    return { count: s.count, min: s.min, max: s.max, quantiles: QUANTILES.map((q) => s.quantile(q)) };
  };
  const red = [];
  for (const tier of [0, 1] as const) {
    for (const byRoute of tier === 0 ? [false] : [false, true]) {
      const rows = await store.readRed({ tier, services: [SERVICE], byRoute, from: 0, to: T * 2 });
      red.push(...rows.map(({ sketch: bytes, ...row }) => ({ tier, byRoute, ...row, sketch: sketch(bytes) })));
    }
  }
  const ids = (await collect(store.loadSeries())).map((s) => s.id);
  const samples = (await store.readSamples(1, ids, 0, T * 2)).map(({ sketch: bytes, sum, ...row }) => ({
    ...row,
    sum: sum === null ? null : Number(sum.toPrecision(12)),
    sketch: sketch(bytes),
  }));
  const byKey = <R>(rows: R[], key: (row: R) => string) => rows.sort((a, b) => key(a).localeCompare(key(b)));
  return {
    red: byKey(red, (r) => `${r.tier} ${r.byRoute} ${r.route} ${r.t}`),
    samples: byKey(samples, (r) => `${r.seriesId} ${r.t}`),
    services: await store.services(),
  };
}
