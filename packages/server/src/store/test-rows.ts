import { describeSeries } from '../aggregate/series-registry.ts';
import { type SeriesIdentity, seriesKey } from '../model.ts';
import { encodeSketch } from '../sketch/codec.ts';
import { Sketch } from '../sketch/sketch.ts';
import type { SeriesRecord } from './store.ts';

/** Test data for the store tests: checkout's /pay request-duration series, stored with id `id`. */
export function checkoutSeries(id: number): SeriesRecord {
  const identity: SeriesIdentity = {
    service: 'checkout',
    name: 'http.server.request.duration',
    kind: 'histogram',
    unit: 'ms',
    attributes: { 'http.route': '/pay' },
  };
  return describeSeries(id, seriesKey(identity), identity);
}

/** A stored sketch of these values. */
export function encodedSketch(...values: number[]): Buffer {
  const sketch = new Sketch();
  for (const v of values) sketch.add(v);
  return encodeSketch(sketch);
}
