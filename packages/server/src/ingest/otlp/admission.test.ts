import { describe, expect, it } from 'vitest';
import { SeriesRegistry } from '../../aggregate/series-registry.ts';
import type { SeriesIdentity } from '../../model.ts';
import { admitEntries, grownRefusals, refusalsOf } from './admission.ts';
import { refusalKey } from './off-thread.ts';

const LIMITS = { maxSeries: 50_000, maxServices: 10, maxSeriesPerService: 1_000, maxSeriesBytes: 1024 };
const gauges = (n: number): SeriesIdentity[] =>
  Array.from({ length: n }, (_, i) => ({
    service: 'many',
    name: 'g',
    kind: 'gauge',
    unit: '',
    attributes: { k: `${i}` },
  }));
const entriesOf = (identities: SeriesIdentity[]) =>
  identities.map((identity) => ({ samples: { identity, timestamps: [], values: [] } }));
const emptyRegistry = () => SeriesRegistry.load((async function* () {})(), LIMITS);

describe('sorting an export of many new series past a limit', () => {
  it('admits up to the limit exactly, refuses the rest with the reason, and registers nothing', async () => {
    const registry = await emptyRegistry();
    const reasons: string[] = [];
    const admitted = await admitEntries(registry, entriesOf(gauges(1_500)), (_, reason) => reasons.push(reason));
    expect(admitted).toHaveLength(1_000);
    expect(reasons).toHaveLength(500);
    expect(new Set(reasons)).toEqual(new Set(['over their service\u2019s series limit (--max-series-per-service)']));
    expect([...registry.all()]).toHaveLength(0);
  });

  it('names the refused series by the key the decode worker looks them up by', async () => {
    const registry = await emptyRegistry();
    const identities = gauges(1_002);
    const refused = await refusalsOf(registry, identities);
    expect([...refused.keys()]).toEqual(identities.slice(1_000).map(refusalKey));
  });

  // An export of 60,000 new series held the event loop ~250 ms while it was sorted: other requests
  // (health checks, acknowledgements, frames) now get turns in between.
  it('lets other work run while it sorts', async () => {
    const registry = await emptyRegistry();
    let otherRan = false;
    setImmediate(() => {
      otherRan = true;
    });
    await admitEntries(registry, entriesOf(gauges(5_000)), () => {});
    expect(otherRan).toBe(true);
  });

  it('gives up when a try names no series the tries before had not (the export would fail the same way)', () => {
    const first = grownRefusals(undefined, new Map([['a', 'limit']]));
    expect(first).toEqual(new Map([['a', 'limit']]));
    expect(grownRefusals(first!, new Map([['a', 'limit']]))).toBeNull();
    expect(grownRefusals(first!, new Map([['b', 'type']]))?.size).toBe(2);
    expect(grownRefusals(undefined, new Map())).toBeNull();
  });
});
