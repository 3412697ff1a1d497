import { bench, describe } from 'vitest';
import type { SeriesIdentity } from '../model.ts';
import { textProblem } from './series-registry.ts';

// `npm run bench:micro`: every new series' text is checked (NUL, lone surrogates, control characters in names).
// Most text holds none of the code units at issue and is scanned once; text that does (an emoji: a surrogate
// pair) takes the exact checks, as all text did before.
const identity = (value: string): SeriesIdentity => ({
  service: 'checkout',
  name: 'http.server.request.duration',
  kind: 'histogram',
  unit: 's',
  attributes: { 'http.route': `/cart/${value}`, 'http.response.status_code': 200, 'service.instance.id': value },
});
const plain = Array.from({ length: 1000 }, (_, i) => identity(`item-${i}`));
const emoji = Array.from({ length: 1000 }, (_, i) => identity(`item-${i}-\u{1F600}`));

describe('checking 1,000 new series identities for text that cannot be stored', () => {
  bench('plain text: one scan each', () => {
    for (const id of plain) textProblem(id);
  });
  bench('text with an emoji: the exact checks each (as all text before)', () => {
    for (const id of emoji) textProblem(id);
  });
});
