import { afterEach, describe, expect, it } from 'vitest';
import { getJson, ingest, startTestApp } from '../testing/test-app.ts';

const NOW = 1_800_000_000_000;
type Answer = { series: { points: { value: number | null }[] }[] };

/** A gauge series of service `a`, told apart by its attributes and its value. */
const gauge = (attributesJson: string, value: number) => ({
  service: 'a',
  name: 'queue.depth',
  type: 'gauge',
  value,
  timestamp: NOW,
  // Parsed, as a JSON body is: `__proto__` is an own key (in an object literal it sets the prototype).
  attributes: JSON.parse(attributesJson) as Record<string, string>,
});

describe('/api/v1/series attribute filters', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });

  it('filters on attribute names that objects inherit (__proto__, constructor) like on any other', async () => {
    const { app } = await startTestApp({}, () => NOW);
    close = () => app.close();
    const sent = [gauge('{"__proto__":"x"}', 1), gauge('{"constructor":"y"}', 2), gauge('{}', 3)];
    expect((await ingest(app, sent)).status).toBe(202);
    const query = (filter: string) =>
      getJson<Answer>(
        app,
        `/api/v1/series?metric=queue.depth&service=a&${filter}&from=${NOW - 60_000}&to=${NOW + 10_000}&maxPoints=1`,
      );
    // The value of the service's matched series (404: none matched).
    const valuesOf = async (filter: string) => {
      const res = await query(filter);
      if (res.status === 404) return [];
      expect(res.status).toBe(200);
      return res.body.series.map((s) => s.points.at(-1)?.value);
    };
    expect(await valuesOf('attr.__proto__=x')).toEqual([1]);
    expect(await valuesOf('attr.__proto__=nope')).toEqual([]);
    expect(await valuesOf('attr.constructor=y')).toEqual([2]);
    // Not the inherited Object constructor's text on a series without the attribute.
    expect(await valuesOf(`attr.constructor=${encodeURIComponent(String(Object))}`)).toEqual([]);
    // Unfiltered, the service's series merge: the average of all three.
    expect(await valuesOf('')).toEqual([2]);
  });
});
