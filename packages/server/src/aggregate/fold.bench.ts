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

describe('fold', () => {
  bench('fold 10,000 observations of 100 series', () => {
    fold(inputs);
  });
});
