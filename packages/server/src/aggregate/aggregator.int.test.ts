import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { type SampleBatch, TIER_RESOLUTIONS } from '../model.ts';
import { type Rows, RowsBuilder } from '../store/rows.ts';
import { collect } from '../testing/collect.ts';
import { startTestApp } from '../testing/test-app.ts';

describe('Aggregator', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('answers 503 with Retry-After past the queue bound, and commits what it accepted', async () => {
    const handle = await startTestApp({ maxPendingObservations: 1000 });
    close = () => handle.app.close();
    const { aggregator } = handle.app.core;
    const first = aggregator.submit(batch(800));
    const second = aggregator.submit(batch(800)).catch((error: unknown) => error);
    await expect(first).resolves.toBe(800);
    const rejected = await second;
    expect(rejected).toBeInstanceOf(AppError);
    expect(rejected).toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED', headers: { 'retry-after': '1' } });
    // Once the queue has drained, the same batch is accepted.
    await expect(aggregator.submit(batch(800))).resolves.toBe(800);
  });
});

describe('a failed commit', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('rejects every request in it and keeps nothing of them (no series, service or bucket); the next commit stores', async () => {
    const handle = await startTestApp();
    close = () => handle.app.close();
    const { aggregator, registry, store } = handle.app.core;
    const appender = store.appender;
    // Each request's rows are followed by a row the database refuses (NaN count): the commit fails midway.
    store.appender = () => {
      const inner = appender();
      const addRows = (rows: Rows) => {
        inner.addRows(rows);
        inner.addRows(refusedRow());
      };
      return { ...inner, addRows };
    };
    const first = aggregator.submit(batch(3));
    const second = aggregator.submit(batch(2, 'other'));
    await expect(first).rejects.toThrow(/NOT NULL/);
    await expect(second).rejects.toThrow(/NOT NULL/);
    expect(registry.size).toBe(0);
    expect(await store.services()).toEqual([]);
    expect(await collect(store.loadSeries())).toEqual([]);

    store.appender = appender;
    await expect(aggregator.submit(batch(3))).resolves.toBe(3);
    expect((await store.services()).map((s) => s.name)).toEqual(['s']);
    const red = await store.readRed({ tier: 0, services: ['s'], byRoute: false, from: 0, to: Date.now() + 60_000 });
    expect(red.reduce((n, row) => n + row.count, 0)).toBe(3);
  });
});

describe('a commit in flight (an asynchronous store)', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('answers a request queued meanwhile with 503 when the commit that created its series fails', async () => {
    const handle = await startTestApp();
    close = () => handle.app.close();
    const { aggregator, registry, store } = handle.app.core;
    const appender = store.appender;
    store.appender = () => ({
      ...appender(),
      commit: async () => {
        await nextTurn();
        throw new Error('connection lost');
      },
    });
    const first = aggregator.submit(batch(3));
    void aggregator.flush(); // the commit is in flight from here
    store.appender = appender;
    const second = aggregator.submit(batch(2)); // names the series the first is creating
    await expect(first).rejects.toThrow('connection lost');
    await expect(second).rejects.toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED' });
    expect(registry.size).toBe(0);
    expect(await collect(store.loadSeries())).toEqual([]);
    // The client's retry is stored, with its series.
    await expect(aggregator.submit(batch(2))).resolves.toBe(2);
    expect((await collect(store.loadSeries())).map((s) => s.service)).toEqual(['s']);
  });

  it('waits while a service is deleted, then answers a request naming its series 503, and stores the retry', async () => {
    const handle = await startTestApp();
    close = () => handle.app.close();
    const { aggregator, registry, store } = handle.app.core;
    await aggregator.submit(batch(3));
    let queued: Promise<number> | undefined;
    const roundTrip = nextTurn;
    await aggregator.between(async () => {
      await roundTrip(); // a network store answering
      queued = aggregator.submit(batch(2)); // names the series being deleted
      await roundTrip();
      expect(await store.deleteService('s')).toBe(true);
      registry.forgetService('s');
    });
    await expect(queued).rejects.toMatchObject({ statusCode: 503, code: 'PULSE_ERR_OVERLOADED' });
    expect(await collect(store.loadSeries())).toEqual([]);
    await expect(aggregator.submit(batch(2))).resolves.toBe(2);
    expect((await collect(store.loadSeries())).map((s) => s.service)).toEqual(['s']);
  });
});

describe('ingested observations', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('counts a weighted value (an OTLP histogram bucket) as the observations it stands for', async () => {
    const handle = await startTestApp();
    close = () => handle.app.close();
    const { aggregator, metrics } = handle.app.core;
    const weighted = { ...batch(2)[0]!, weights: [10, 5] };
    await expect(aggregator.submit([weighted, ...batch(3)])).resolves.toBe(5);
    expect((await metrics.ingested.get()).values[0]?.value).toBe(18);
  });
});

function batch(n: number, service = 's'): SampleBatch {
  const t = Date.now();
  return [
    {
      identity: { service, name: 'http.server.request.duration', kind: 'histogram', unit: 'ms', attributes: {} },
      timestamps: Array.from({ length: n }, () => t),
      values: Array.from({ length: n }, (_, i) => i),
    },
  ];
}

function refusedRow() {
  const rows = new RowsBuilder(TIER_RESOLUTIONS.length);
  rows.sample(1, 1, 0, { count: Number.NaN, sum: 0, min: 0, max: 0, last: 0, lastT: 0 }, null);
  return rows.finish();
}
