import { bench, describe } from 'vitest';
import { SeriesRegistry } from '../../aggregate/series-registry.ts';
import { AppError } from '../../errors.ts';
import type { SeriesSamples } from '../../model.ts';
import { admitEntries } from './admission.ts';

// `npm run bench:micro`: sorting an OTLP export of 60,000 new series of one service, past its limit of 10,000,
// into admitted and refused (`admitEntries`, on the main thread, in slices between other requests' turns). Beside it,
// how it was done before: `resolve` and `release` per series, a refusal thrown (and a new error) each time.
const LIMITS = { maxSeries: 50_000, maxServices: 1_000, maxSeriesPerService: 10_000, maxSeriesBytes: 1024 };
const entries = Array.from({ length: 60_000 }, (_, i) => ({
  samples: {
    identity: { service: 'victim', name: 'g', kind: 'gauge', unit: '', attributes: { k: `r${i}` } },
    timestamps: [],
    values: [],
  } satisfies SeriesSamples,
}));
const registry = await SeriesRegistry.load((async function* () {})(), LIMITS);

describe('60,000 new series past a service limit of 10,000', () => {
  bench('a dry run (trial), refusals returned', async () => {
    await admitEntries(registry, entries, () => {});
  });
  bench('resolve and release per series, refusals thrown (before)', () => {
    const created = [];
    for (const entry of entries) {
      try {
        created.push(...registry.resolve([entry.samples]).created);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
      }
    }
    registry.release(created);
  });
});
