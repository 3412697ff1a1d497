import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { describeSeries } from '../../aggregate/series-registry.ts';
import { type SeriesIdentity, seriesKey } from '../../model.ts';
import { openSqliteStore } from './sqlite-store.ts';

describe('closing the store', () => {
  it('waits for a series load still reading, then refuses every call', async () => {
    const store = openSqliteStore(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pulseboard-close-')), 'a.db'));
    const appender = store.appender();
    appender.addSeries(series(1, '/pay'));
    appender.addSeries(series(2, '/cart'));
    await appender.commit();

    const rows = store.loadSeries()[Symbol.asyncIterator]();
    expect((await rows.next()).value).toMatchObject({ id: 1, route: '/pay' });
    let closed = false;
    const closing = store.close().then(() => (closed = true));
    await nextTurn();
    // Shutdown began while start-up was still loading: the load finishes before the file closes.
    expect(closed).toBe(false);
    await expect(store.services()).rejects.toThrow('the store is closed');
    expect((await rows.next()).value).toMatchObject({ id: 2, route: '/cart' });
    expect((await rows.next()).done).toBe(true);
    await closing;
    await expect(store.getMeta('anything')).rejects.toThrow('the store is closed');
    await expect(store.loadSeries()[Symbol.asyncIterator]().next()).rejects.toThrow('the store is closed');
  });
});

function series(id: number, route: string) {
  const identity: SeriesIdentity = {
    service: 'checkout',
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: { 'http.route': route },
  };
  return describeSeries(id, seriesKey(identity), identity);
}
