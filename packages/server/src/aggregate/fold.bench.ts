import { bench, describe } from 'vitest';
import type { SeriesRecord } from '../store/store.ts';
import { logNormalValues } from '../testing/test-app.ts';
import { type FoldInput, fold } from './fold.ts';

// `npm run bench:micro`: folding one native request's worth (10,000 observations, 5 services x 10 routes x
// 2 status groups, spread over a minute) into rows for every tier and the live seconds.
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000);
const values = logNormalValues(10_000, 3);
const inputs: FoldInput[] = [];
let id = 0;
for (let s = 0; s < 5; s++) {
  for (let r = 0; r < 10; r++) {
    for (const isError of [false, true]) {
      const record: SeriesRecord = {
        id: ++id,
        key: String(id),
        service: `svc-${s}`,
        name: 'http.server.request.duration',
        kind: 'histogram',
        unit: 'ms',
        red: true,
        route: `/r/${r}`,
        isError,
        instance: null,
      };
      const n = isError ? 2 : 98;
      const timestamps = Array.from({ length: n }, (_, i) => T0 + Math.floor((i * 60_000) / n));
      const at = (id * 100) % values.length;
      inputs.push({ record, timestamps, values: values.slice(at, at + n) });
    }
  }
}

// The OTLP shape: the same 100 series as explicit-bucket histogram points (one a second for a minute, the
// SDK's default bounds shared by every point as the decoder shares them), so the layout sums and the spread
// into sketches (explicit-counts.ts) are what is measured.
const BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10_000];
const histogramInputs: FoldInput[] = inputs.map(({ record }, s) => ({
  record,
  timestamps: [],
  values: [],
  explicit: Array.from({ length: 60 }, (_, i) => {
    const counts = BOUNDS.map((_, b) => ((s + i + b) % 7) * 3);
    counts.push(1);
    const count = counts.reduce((a, b) => a + b, 0);
    return {
      time: T0 + i * 1000,
      bounds: BOUNDS,
      counts,
      scale: 1,
      count,
      sum: count * 40,
      min: 0.5,
      max: 9000,
      exact: true,
    };
  }),
}));

describe('fold', () => {
  bench('fold 10,000 observations of 100 series', () => {
    fold(inputs);
  });
  bench('fold 6,000 explicit histogram points of 100 series', () => {
    fold(histogramInputs);
  });
});
